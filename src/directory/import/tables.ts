// Reading the CSV files of a tabular data package into rows that know their file and line.
import type { ProblemLog, Where } from "./build.js";
import { parseCsv } from "./csv.js";
import type { PackageFiles } from "./package-files.js";
import { isPlaceholder } from "./text.js";

export interface Row extends Where {
  /** The trimmed cell, "" when the column is absent, empty, or holds placeholder text. */
  get(column: string): string;
}

export interface Table {
  readonly file: string;
  readonly columns: ReadonlySet<string>;
  readonly rows: readonly Row[];
}

export interface TableSpec {
  /** File name in the package ("services.csv"); also the resource name without ".csv" in datapackage.json. */
  readonly file: string;
  /** Without these the rows cannot be read: one problem for the file, no rows. */
  readonly required: readonly string[];
  /** At least one of these must be present (e.g. some link to a service). */
  readonly anyOf?: readonly string[];
  /** Columns this importer uses whose value may be the HSDS example's placeholder (the column's own name). */
  readonly placeholders?: readonly string[];
}

class CsvRow implements Row {
  constructor(
    readonly file: string,
    readonly line: number,
    private readonly fields: readonly string[],
    private readonly index: ReadonlyMap<string, number>,
    private readonly blanked: ReadonlySet<string> | undefined,
  ) {}

  get(column: string): string {
    if (this.blanked?.has(column)) return "";
    const i = this.index.get(column);
    return i === undefined ? "" : (this.fields[i] ?? "").trim();
  }
}

export class PackageReader {
  rowsRead = 0;
  /** Resource name -> path, from datapackage.json when it is readable. */
  private readonly resources = new Map<string, string>();

  constructor(
    readonly files: PackageFiles,
    private readonly problems: ProblemLog,
    private readonly onProgress: ((rowsRead: number) => void) | undefined,
  ) {
    this.readDatapackage();
  }

  /** Where a table's file is: as datapackage.json lists it, else the standard name. */
  pathOf(file: string): string {
    const listed = this.resources.get(file.replace(/\.csv$/i, "")) ?? this.resources.get(file);
    if (listed && this.files.has(listed)) return listed;
    return file;
  }

  has(file: string): boolean {
    return this.files.has(this.pathOf(file));
  }

  /** Reads a table; undefined when the package does not have it. */
  read(spec: TableSpec): Table | undefined {
    const path = this.pathOf(spec.file);
    const text = this.files.read(path);
    if (text === undefined) return undefined;
    const file = path.split("/").pop()!;
    const parsed = parseCsv(text);
    for (const p of parsed.problems) this.problems.add({ file, line: p.line }, p.message);
    const [header, ...records] = parsed.records;
    if (!header) {
      this.problems.add({ file, line: 1 }, "the file is empty (no header row)");
      return { file, columns: new Set(), rows: [] };
    }
    const names = header.fields.map((h) => h.trim().toLowerCase());
    const columns = new Set(names.filter(Boolean));
    const missing = spec.required.filter((c) => !columns.has(c));
    if (missing.length > 0) {
      this.problems.add(
        { file, line: header.line },
        `missing required column${missing.length > 1 ? "s" : ""} ${missing.join(", ")}; the rows of ${file} cannot be read`,
      );
      return { file, columns, rows: [] };
    }
    if (spec.anyOf && !spec.anyOf.some((c) => columns.has(c))) {
      this.problems.add(
        { file, line: header.line },
        `needs one of the columns ${spec.anyOf.join(", ")}; the rows of ${file} cannot be read`,
      );
      return { file, columns, rows: [] };
    }

    const index = new Map<string, number>();
    names.forEach((name, i) => {
      if (name && !index.has(name)) index.set(name, i);
    });
    const placeholderColumns = (spec.placeholders ?? []).filter((c) => index.has(c));
    const rows: Row[] = [];
    for (const record of records) {
      this.tick();
      const { fields, line } = record;
      const extra = fields.slice(names.length);
      if (fields.length < names.length || extra.some((f) => f.trim() !== "")) {
        this.problems.add(
          { file, line },
          `row has ${fields.length} fields but the header has ${names.length}; row skipped`,
        );
        continue;
      }
      let blanked: Set<string> | undefined;
      for (const column of placeholderColumns) {
        if (isPlaceholder(column, fields[index.get(column)!]!)) (blanked ??= new Set()).add(column);
      }
      if (blanked) {
        const found = [...blanked].map((column) => `${column} ("${fields[index.get(column)!]!.trim()}")`);
        this.problems.add({ file, line }, `placeholder text in ${found.join(", ")}; ignored`);
      }
      rows.push(new CsvRow(file, line, fields, index, blanked));
    }
    return { file, columns, rows };
  }

  finish(): void {
    this.onProgress?.(this.rowsRead);
  }

  private tick(): void {
    this.rowsRead += 1;
    if (this.rowsRead % 1000 === 0) this.onProgress?.(this.rowsRead);
  }

  private readDatapackage(): void {
    const text = this.files.read("datapackage.json");
    if (text === undefined) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      const hint = /^[^{[\s][^\n]*$/.test(text.trim())
        ? ` (it holds only "${text.trim().slice(0, 80)}", perhaps a link that was not followed)`
        : "";
      this.problems.add(
        { file: "datapackage.json", line: 1 },
        `is not valid JSON${hint}; the standard file names are used`,
      );
      return;
    }
    const resources = (json as { resources?: unknown }).resources;
    if (!Array.isArray(resources)) {
      this.problems.add(
        { file: "datapackage.json", line: 1 },
        "has no resources list; the standard file names are used",
      );
      return;
    }
    for (const resource of resources as unknown[]) {
      const { name, path: resourcePath } = (resource ?? {}) as { name?: unknown; path?: unknown };
      if (typeof name !== "string" || typeof resourcePath !== "string") continue;
      this.resources.set(name, resourcePath);
      if (!this.files.has(resourcePath)) {
        this.problems.add(
          { file: "datapackage.json", line: lineOf(text, `"${resourcePath}"`) },
          `lists resource "${name}" at ${resourcePath}, but there is no such file`,
        );
      }
    }
  }
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 1 : text.slice(0, at).split("\n").length;
}
