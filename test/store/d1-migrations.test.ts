// D1 applies prisma/d1-migrations/ (wrangler's layout); Node applies prisma/migrations/. They
// must be the same SQL, in the same order: scripts/worker-prepare.mjs writes the copy.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../../src/runtime-node/paths.js";
// @ts-expect-error: a plain .mjs script without type declarations
import { d1MigrationFiles } from "../../scripts/worker-prepare.mjs";

describe("D1 migrations", () => {
  it("are the Node migrations, file for file, in wrangler's numbered layout", () => {
    const dir = path.join(packageRoot, "prisma", "d1-migrations");
    const expected = (d1MigrationFiles() as { file: string; sql: string }[]).map((m) => [m.file, m.sql]);
    const actual = readdirSync(dir)
      .sort()
      .map((file) => [file, readFileSync(path.join(dir, file), "utf8")]);
    expect(actual.map(([f]) => f)).toEqual(expected.map(([f]) => f));
    expect(actual, "run `node scripts/worker-prepare.mjs` and commit prisma/d1-migrations").toEqual(expected);
    expect(actual.length).toBeGreaterThanOrEqual(6);
  });
});
