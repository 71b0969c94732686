// The README's examples are code too: the example flow must lint clean and the example
// conversation test must pass against the shipped flows.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, parseFlow } from "../src/engine/parse-flow.js";
import { loadRegistry } from "../src/runtime-node/flow-dir.js";
import { packageRoot, shippedFlowsDir } from "../src/runtime-node/paths.js";
import { runScriptFile } from "../src/runtime-node/script-driver.js";
import { tempDir } from "./support/temp-db.js";

const readme = readFileSync(path.join(packageRoot, "README.md"), "utf8");
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("README examples", () => {
  it("the example flow passes the linter", () => {
    const example = yamlBlocks.find((b) => b.startsWith("id: bins"));
    expect(example).toBeDefined();
    const result = parseFlow(example!, "README.md");
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
  });

  it("the example conversation test passes", async () => {
    const example = yamlBlocks.find((b) => b.startsWith("name:"));
    expect(example).toBeDefined();
    const t = tempDir();
    try {
      const file = path.join(t.dir, "readme-example.yaml");
      writeFileSync(file, example!);
      const run = await runScriptFile(file, loadRegistry(shippedFlowsDir, "priorities", "help"));
      expect(run.failures).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});
