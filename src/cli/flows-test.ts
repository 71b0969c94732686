import path from "node:path";
import { listScriptFiles, loadRegistry } from "../runtime-node/flow-dir.js";
import { runScriptFile } from "../runtime-node/script-driver.js";
import { cliConfig, type CliIO } from "./io.js";

/** `placevoice flows test [dir]`: runs every conversation script in <dir>/tests. */
export async function runFlowTests(dir: string, io: CliIO): Promise<number> {
  const config = cliConfig(io);
  const registry = loadRegistry(path.resolve(dir), config.entryFlow, config.helpFlow);
  const files = listScriptFiles(dir);
  let failed = 0;
  for (const file of files) {
    const run = await runScriptFile(file, registry, io.env);
    if (run.failures.length === 0) io.out(`ok    ${run.file}  ${run.name}`);
    else {
      failed++;
      io.out(`FAIL  ${run.file}  ${run.name}`);
      for (const f of run.failures) io.out(`      ${f}`);
    }
  }
  io.out(`\n${files.length - failed} passed, ${failed} failed`);
  return failed > 0 || files.length === 0 ? 1 : 0;
}
