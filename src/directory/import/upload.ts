// A directory package as an operator uploads it in the dashboard: a zip of the CSV folder (with
// its placevoice.yaml, if any) or an HSDS JSON file. Pure JavaScript (fflate's streaming unzip),
// the same on Node and Workers, and careful with what it is given:
// - the upload's size is capped, and so are the zip's entries and its total unpacked size,
//   counted while inflating (a few kB at a time), so a zip bomb stops at the cap, not after it;
// - an entry named with "..", an absolute path or a drive letter refuses the whole upload;
// - only the files an import reads (.csv, .json, .yaml) are inflated; the rest are skipped.
import { Unzip, UnzipInflate } from "fflate";
import type { ImportOptions, PreparedDirectory } from "./package.js";
import { DirectoryImportError, importServicesJson, importTabular, prepareDirectory } from "./package.js";
import { memoryPackage, packagePath } from "./package-files.js";

export interface UploadLimits {
  /** The uploaded file. */
  readonly bytes: number;
  /** Everything a zip unpacks to (the files that are read). */
  readonly unpackedBytes: number;
  /** Entries in a zip, folders and skipped files included. */
  readonly entries: number;
}

const MiB = 1024 * 1024;
export const UPLOAD_LIMITS: UploadLimits = { bytes: 8 * MiB, unpackedBytes: 32 * MiB, entries: 200 };

/** Compressed bytes handed to the inflater at a time: deflate expands at most about 1,032:1, so ~4 MiB between checks. */
const PUSH_BYTES = 4096;

export type UploadRefusal = "too_large" | "wrong_type" | "unsafe";

/** The upload cannot be read at all (too large, not a zip or JSON, an unsafe entry): nothing is imported. */
export class UploadRefused extends Error {
  override readonly name = "UploadRefused";
  constructor(
    readonly reason: UploadRefusal,
    message: string,
  ) {
    super(message);
  }
}

export const sizeText = (bytes: number): string =>
  bytes >= MiB ? `${Math.round((bytes / MiB) * 10) / 10} MiB` : `${Math.ceil(bytes / 1024)} kB`;

const clip = (name: string) => (name.length > 80 ? `${name.slice(0, 77)}…` : name);

/** Why an entry name cannot be a path inside the package, or undefined when it can. */
export function unsafeEntryName(name: string): string | undefined {
  if (name.includes("\0")) return "which holds a NUL character";
  if (/^([\\/]|[A-Za-z]:)/.test(name)) return "an absolute path";
  if (name.split(/[\\/]/).includes("..")) return 'a path that climbs out of the folder ("..")';
  return undefined;
}

/** Entries that zip tools add and no directory holds (macOS resource forks, Finder's folder settings). */
const isJunk = (path: string) => /(^|\/)(__MACOSX\/|\._|\.DS_Store$)/.test(path);
const READ = /\.(csv|json|ya?ml)$/i;

const isZip = (b: Uint8Array) =>
  b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5) && (b[3] === 4 || b[3] === 6);

function looksLikeJson(b: Uint8Array): boolean {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09)) i++;
  return b[i] === 0x7b || b[i] === 0x5b;
}

const utf8 = new TextDecoder("utf-8");

function joined(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The files a zip holds that an import reads, by path; refused as soon as a limit is passed. */
export function unzipPackage(bytes: Uint8Array, limits: UploadLimits = UPLOAD_LIMITS): Map<string, string> {
  const chunks = new Map<string, Uint8Array[]>();
  const finished = new Set<string>();
  let entries = 0;
  let unpacked = 0;
  let refused: UploadRefused | undefined;
  const unzip = new Unzip((file) => {
    if (refused) return;
    entries += 1;
    if (entries > limits.entries) {
      refused = new UploadRefused(
        "too_large",
        `The zip holds more than ${limits.entries} files; a directory package has a few dozen. Nothing was imported.`,
      );
      return;
    }
    const unsafe = unsafeEntryName(file.name);
    if (unsafe) {
      refused = new UploadRefused(
        "unsafe",
        `The zip has an entry named "${clip(file.name)}", ${unsafe}. Nothing was read or imported.`,
      );
      return;
    }
    const path = packagePath(file.name);
    if (file.name.endsWith("/") || isJunk(file.name) || !READ.test(path)) return;
    if (chunks.has(path)) {
      refused = new UploadRefused("wrong_type", `The zip holds ${clip(path)} twice. Nothing was imported.`);
      return;
    }
    const parts: Uint8Array[] = [];
    chunks.set(path, parts);
    file.ondata = (error, data, final) => {
      if (refused) return;
      if (error) {
        refused = new UploadRefused(
          "wrong_type",
          `${clip(path)} in the zip could not be unpacked (${error.message}). Zip the folder again with your system's ordinary "Compress" and upload that.`,
        );
        return;
      }
      unpacked += data.length;
      if (unpacked > limits.unpackedBytes) {
        refused = new UploadRefused(
          "too_large",
          `Unpacked, the zip's files come to more than ${sizeText(limits.unpackedBytes)}; it was not unpacked further. Nothing was imported.`,
        );
        file.terminate();
        return;
      }
      parts.push(data);
      if (final) finished.add(path);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < bytes.length && !refused; at += PUSH_BYTES)
      unzip.push(bytes.subarray(at, at + PUSH_BYTES), at + PUSH_BYTES >= bytes.length);
  } catch (error) {
    refused ??= new UploadRefused("wrong_type", `The zip cannot be read (${(error as Error).message}).`);
  }
  if (refused) throw refused;
  const unfinished = [...chunks.keys()].find((path) => !finished.has(path));
  if (entries === 0 || unfinished)
    throw new UploadRefused(
      "wrong_type",
      unfinished
        ? `The zip ends before ${clip(unfinished)} does: it may not have finished uploading. Nothing was imported.`
        : "The zip holds no files.",
    );
  return new Map([...chunks].map(([path, parts]) => [path, utf8.decode(joined(parts))]));
}

/** A zip of a folder holds "folder/service.csv": the package is the folder, and takes its name. */
function unwrapFolder(files: Map<string, string>): { folder: string | undefined; files: Map<string, string> } {
  let folder: string | undefined;
  let current = files;
  for (;;) {
    const paths = [...current.keys()];
    const top = paths[0]?.split("/")[0];
    if (!top || !paths.every((p) => p.startsWith(`${top}/`))) return { folder, files: current };
    folder = top;
    current = new Map([...current].map(([p, text]) => [p.slice(top.length + 1), text]));
  }
}

/** A source name from an uploaded file's name ("Stoke directory (2).zip" -> "Stoke-directory-2"). */
function nameFrom(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? "";
  const stem = base
    .replace(/\.(zip|json)$/i, "")
    .replace(/[^\w.-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "")
    .slice(0, 80);
  return stem || "upload";
}

/**
 * Reads an uploaded package, ready to store (or to show as a dry run): a zip of a tabular
 * package (placevoice.yaml beside it is applied), a zip of one HSDS JSON file (and its
 * placevoice.yaml), or a JSON file. UploadRefused when it cannot be read at all;
 * DirectoryImportError when it reads but is not a directory.
 */
export function readDirectoryUpload(
  bytes: Uint8Array,
  fileName: string,
  options: ImportOptions & { readonly limits?: UploadLimits },
): PreparedDirectory {
  const limits = options.limits ?? UPLOAD_LIMITS;
  if (bytes.length > limits.bytes)
    throw new UploadRefused("too_large", `The file is larger than ${sizeText(limits.bytes)}. Nothing was imported.`);
  if (isZip(bytes)) {
    const unwrapped = unwrapFolder(unzipPackage(bytes, limits));
    const files = memoryPackage(unwrapped.folder ?? nameFrom(fileName), unwrapped.files);
    try {
      return prepareDirectory(importTabular(files, options), files);
    } catch (error) {
      const json = [...unwrapped.files.keys()].filter(
        (p) => /\.json$/i.test(p) && !/(^|\/)datapackage\.json$/i.test(p),
      );
      if (!(error instanceof DirectoryImportError) || json.length !== 1) throw error;
      return prepareDirectory(importServicesJson(files.read(json[0]!)!, json[0]!.split("/").pop()!, options), files);
    }
  }
  if (looksLikeJson(bytes)) {
    const files = memoryPackage(nameFrom(fileName), new Map());
    return prepareDirectory(
      importServicesJson(utf8.decode(bytes), fileName.split(/[\\/]/).pop() ?? "upload.json", options),
      files,
    );
  }
  throw new UploadRefused(
    "wrong_type",
    `${clip(fileName.split(/[\\/]/).pop() || "The file")} is neither a zip nor JSON: upload the directory's folder as a .zip, or an HSDS .json file.`,
  );
}
