// `npm run test:faults`: the reliability tests that start real server processes, kill them,
// fill their disk or lock their database, and fuzz them with 10,000 requests. Slower than the
// unit and end-to-end suite (`npm test`), so they run on their own.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/reliability/**/*.faults.test.ts"],
    pool: "forks",
    // Each file starts its own servers on its own ports and database; two at a time on 2 cores.
    maxWorkers: 2,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
