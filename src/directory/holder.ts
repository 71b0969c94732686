// The directory in memory, rebuilt when an import changes it (checked cheaply by version), so
// a running server picks up `placevoice services import` without a restart.
import type { Clock } from "../clock.js";
import type { PrismaDirectoryStore } from "./directory-store.js";
import { DirectoryIndex } from "./match.js";

export class DirectoryHolder {
  private index: DirectoryIndex | undefined;
  private loadedVersion = "";
  private checked: Date | undefined;

  constructor(
    private readonly store: PrismaDirectoryStore,
    private readonly timeZone: string,
    private readonly now?: Clock,
  ) {}

  /** When reload() last read the stored version (for /metrics: a stalled reload shows as a growing age). */
  checkedAt(): Date | undefined {
    return this.checked;
  }

  current(): DirectoryIndex | undefined {
    return this.index;
  }

  /** Rebuilds the index if the stored directory changed (or, forced, just after an import here); true when it did. */
  async reload(options: { force?: boolean } = {}): Promise<boolean> {
    const version = await this.store.version();
    this.checked = this.now?.();
    if (!options.force && version === this.loadedVersion && this.index) return false;
    const [services, settings] = await Promise.all([this.store.all(), this.store.settings()]);
    this.index = services.length > 0 ? new DirectoryIndex(services, settings, this.timeZone) : undefined;
    this.loadedVersion = version;
    return true;
  }
}
