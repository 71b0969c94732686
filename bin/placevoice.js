#!/usr/bin/env node
// The `placevoice` command. Runs the bundle `npm install` builds (scripts/build-node.mjs) while
// it is newer than every source file, and the TypeScript sources directly through tsx otherwise:
// no build step between editing a file and running it.
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundle = path.join(root, "dist", "node", "cli.mjs");

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : statSync(file).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    return statSync(bundle).mtimeMs >= newestSource(path.join(root, "src"));
  } catch {
    return false;
  }
}

let run;
if (process.env.PLACEVOICE_FROM_SOURCE !== "1" && bundleIsFresh()) {
  ({ run } = await import(pathToFileURL(bundle).href));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ run } = await import("../src/cli/main.ts"));
}
process.exitCode = await run(process.argv.slice(2));
