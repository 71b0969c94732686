import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The process-killing, disk-filling and fuzzing reliability tests: `npm run test:faults`.
    exclude: ["test/reliability/**/*.faults.test.ts", "**/node_modules/**"],
    pool: "forks",
    // Test files share each worker's loaded modules instead of importing the app afresh for every
    // file (twilio, LangChain, libphonenumber and Prisma are slow to load): about a third of the
    // suite's time was imports. Tests keep no state in modules; each builds its own services and clock.
    isolate: false,
    // One file per processor (vitest's default leaves one idle: a single worker on 2 cores). The
    // files wait on servers, browsers and child processes about half the time.
    maxWorkers: availableParallelism(),
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
