// The files of a directory package, wherever they come from: a folder on disk (the CLI, Node
// only) or an uploaded zip held in memory (the dashboard, both runtimes). The importer reads
// through this and nothing else, so it never touches a file system itself.

export interface PackageFiles {
  /** The package's name (its folder's): the source its services are stored under. */
  readonly name: string;
  /** The text of a file, by its path inside the package ("service.csv", "data/service.csv"); undefined when there is none. */
  read(path: string): string | undefined;
  has(path: string): boolean;
}

/** A path as a package names it: "./data/x.csv" and "data//x.csv" are "data/x.csv". */
export function packagePath(path: string): string {
  return path
    .split(/[\\/]+/)
    .filter((part) => part !== "" && part !== ".")
    .join("/");
}

/** A package held in memory (an uploaded zip's entries), by path inside the package. */
export function memoryPackage(name: string, files: ReadonlyMap<string, string>): PackageFiles {
  return {
    name,
    read: (path) => files.get(packagePath(path)),
    has: (path) => files.has(packagePath(path)),
  };
}
