import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The process-killing, disk-filling and fuzzing reliability tests: `npm run test:faults`.
    exclude: ["test/reliability/**/*.faults.test.ts", "**/node_modules/**"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
