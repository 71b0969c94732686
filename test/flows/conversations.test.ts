// Runs every conversation script in flows/tests through the real engine and a real SQLite
// store, one vitest test per script. Scripts are written for engagement officers; see docs/flows.md.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { listScriptFiles, loadRegistry } from "../../src/runtime-node/flow-dir.js";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { runScriptFile } from "../../src/runtime-node/script-driver.js";

const flowsDir = path.join(packageRoot, "flows");
const registry = loadRegistry(flowsDir, "priorities", "help");
const scripts = listScriptFiles(flowsDir);

describe("conversation scripts in flows/tests", () => {
  it("exist for every shipped flow", () => {
    const started = new Set(scripts.map((f) => /^flow:\s*(\S+)/m.exec(readFileSync(f, "utf8"))?.[1]));
    for (const flowId of registry.flows.keys()) expect(started, `no script starts flow "${flowId}"`).toContain(flowId);
  });

  for (const file of scripts) {
    it(path.basename(file), async () => {
      const run = await runScriptFile(file, registry);
      expect(run.failures, run.failures.join("\n")).toEqual([]);
    });
  }
});
