// Bundles the TypeScript sources for Node into dist/node/cli.mjs (esbuild, well under a second;
// npm packages stay external), run by postinstall. `placevoice` runs this bundle while it is
// newer than every file in src/, and the sources through tsx otherwise, so an edit takes effect
// at once. Running without tsx saves its loader thread and the transpiled copies it keeps:
// about 45 MB of the server's memory, and a second of start-up.
import { build } from "esbuild";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const result = await build({
  entryPoints: [path.join(root, "src", "cli", "main.ts")],
  outfile: path.join(root, "dist", "node", "cli.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
  write: false,
});
// Written aside and renamed into place: a `placevoice` starting meanwhile sees the old bundle or the new, never half of one.
for (const file of result.outputFiles) {
  mkdirSync(path.dirname(file.path), { recursive: true });
  writeFileSync(`${file.path}.tmp`, file.contents);
  renameSync(`${file.path}.tmp`, file.path);
}
