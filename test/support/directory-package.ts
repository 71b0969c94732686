// Directory packages as an operator would upload them: the shipped sample (or a changed copy)
// zipped as a folder, as a system's "Compress" makes it, with fflate.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { strToU8, zipSync, type Zippable } from "fflate";
import { sampleDirectoryDir } from "../../src/runtime-node/paths.js";

/** The sample's files by name, each passed through `edit` (return undefined to leave a file out). */
export function sampleFiles(
  edit: (file: string, text: string) => string | undefined = (_, t) => t,
): Map<string, string> {
  const files = new Map<string, string>();
  for (const file of readdirSync(sampleDirectoryDir).sort()) {
    const text = edit(file, readFileSync(path.join(sampleDirectoryDir, file), "utf8"));
    if (text !== undefined) files.set(file, text);
  }
  return files;
}

/** A zip of the files inside `folder/` (no folder: at the zip's root). */
export function zipOf(files: ReadonlyMap<string, string | Uint8Array>, folder?: string): Uint8Array {
  const entries: Zippable = {};
  for (const [name, content] of files)
    entries[folder ? `${folder}/${name}` : name] = typeof content === "string" ? strToU8(content) : content;
  return zipSync(entries);
}

/** The sample, zipped as its folder "stoke-on-trent/" (the source it was first imported as). */
export function samplePackage(edit?: (file: string, text: string) => string | undefined): Uint8Array {
  return zipOf(sampleFiles(edit), "stoke-on-trent");
}

/** The sample with its transport services' numbers corrected (01632 960220, 960221, 960240 -> 960991, 960992, 960993). */
export function correctedSample(): Uint8Array {
  return samplePackage((file, text) =>
    file === "phone.csv"
      ? text
          .replace("01632 960220", "01632 960991")
          .replace("01632 960221", "01632 960992")
          .replace("01632 960240", "01632 960993")
      : text,
  );
}
