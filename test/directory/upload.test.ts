// Reading an uploaded package (src/directory/import/upload.ts) on its own: what zip tools put in
// a zip (a folder around the files, macOS's __MACOSX copies, folders within folders), entry
// names that must refuse the upload however they are spelt, and the limits, each checked as
// the zip is unpacked.
import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  readDirectoryUpload,
  unsafeEntryName,
  unzipPackage,
  UploadRefused,
} from "../../src/directory/import/upload.js";
import { sampleFiles, zipOf } from "../support/directory-package.js";

const NOW = new Date("2026-06-01T12:00:00Z");

function refusal(run: () => unknown): UploadRefused {
  try {
    run();
  } catch (error) {
    if (error instanceof UploadRefused) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("an uploaded directory package", () => {
  it("reads the folder inside the zip, two levels down, and leaves out macOS's copies and files it does not read", () => {
    const files = new Map<string, string | Uint8Array>(
      [...sampleFiles()].map(([f, t]) => [`export/stoke-on-trent/${f}`, t]),
    );
    files.set("__MACOSX/export/stoke-on-trent/._service.csv", new Uint8Array([0, 5, 22, 7]));
    files.set("export/stoke-on-trent/.DS_Store", new Uint8Array([0, 0, 0, 1]));
    files.set("export/stoke-on-trent/logo.png", new Uint8Array([0x89, 0x50]));
    const prepared = readDirectoryUpload(zipOf(files), "Archive.zip", { now: NOW });
    expect(prepared).toMatchObject({ source: "stoke-on-trent", format: "oruk-tabular", groups: 6, problems: [] });
    expect(prepared.services).toHaveLength(37);
    expect(prepared.settings.area).toBe("Stoke-on-Trent");
  });

  it("names a package zipped without its folder after the file", () => {
    const prepared = readDirectoryUpload(zipOf(sampleFiles()), "Stoke directory (2).zip", { now: NOW });
    expect(prepared.source).toBe("Stoke-directory-2");
    expect(prepared.services).toHaveLength(37);
  });

  it("refuses entry names that climb out of the folder or are absolute, however they are spelt", () => {
    for (const name of [
      "../x.csv",
      "a/../../x.csv",
      "a\\..\\x.csv",
      "/etc/x.csv",
      "\\x.csv",
      "C:/x.csv",
      "c:\\x.csv",
      "a\u0000.csv",
    ])
      expect(unsafeEntryName(name), name).toBeDefined();
    for (const name of ["service.csv", "stoke-on-trent/service.csv", "a..b.csv", "..data/x.csv"])
      expect(unsafeEntryName(name), name).toBeUndefined();
    // An unsafe name refuses the whole zip, even for a file that would not be read.
    const zip = zipSync({ "stoke/service.csv": strToU8("id,name\n1,A\n"), "../../notes.txt": strToU8("x") });
    expect(refusal(() => unzipPackage(zip)).reason).toBe("unsafe");
  });

  it("stops at each limit: the file's size, the entries, the unpacked size while unpacking", () => {
    const limits = { bytes: 64 * 1024, unpackedBytes: 256 * 1024, entries: 10 };
    expect(
      refusal(() => readDirectoryUpload(new Uint8Array(64 * 1024 + 1), "big.zip", { now: NOW, limits })).reason,
    ).toBe("too_large");
    const crowded = zipOf(new Map(Array.from({ length: 11 }, (_, i) => [`f${i}.csv`, "id\n1\n"])));
    expect(refusal(() => unzipPackage(crowded, limits)).message).toContain("more than 10 files");
    // Two files of 200 kB each: the second passes the cap of 256 kB.
    const pair = zipSync({
      "a.csv": new Uint8Array(200 * 1024).fill(65),
      "b.csv": new Uint8Array(200 * 1024).fill(66),
    });
    expect(pair.length).toBeLessThan(limits.bytes);
    expect(refusal(() => unzipPackage(pair, limits)).message).toContain("more than 256 kB");
  });

  it("says what a file is when it is neither a zip nor JSON, and reads a truncated zip as unfinished", () => {
    expect(
      refusal(() => readDirectoryUpload(strToU8("id,name\n1,A\n"), "service.csv", { now: NOW })).message,
    ).toContain("service.csv is neither a zip nor JSON");
    const zip = zipOf(sampleFiles(), "stoke-on-trent");
    const cut = refusal(() => unzipPackage(zip.subarray(0, Math.floor(zip.length / 2))));
    expect(cut.reason).toBe("wrong_type");
  });
});
