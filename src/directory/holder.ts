// The directory in memory, rebuilt when an import changes it (checked cheaply by version), so
// a running server picks up `placevoice services import` without a restart.
import type { PrismaDirectoryStore } from "./directory-store.js";
import { DirectoryIndex } from "./match.js";

export class DirectoryHolder {
  private index: DirectoryIndex | undefined;
  private loadedVersion = "";

  constructor(
    private readonly store: PrismaDirectoryStore,
    private readonly timeZone: string,
  ) {}

  current(): DirectoryIndex | undefined {
    return this.index;
  }

  /** Rebuilds the index if the stored directory changed; true when it did. */
  async reload(): Promise<boolean> {
    const version = await this.store.version();
    if (version === this.loadedVersion && this.index) return false;
    const [services, settings] = await Promise.all([this.store.all(), this.store.settings()]);
    this.index = services.length > 0 ? new DirectoryIndex(services, settings, this.timeZone) : undefined;
    this.loadedVersion = version;
    return true;
  }
}
