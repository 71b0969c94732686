// The simulator's groups: the warm-handoff steps of a practice conversation (the groups shown
// after an offer, the one the officer asks to get in touch, no thanks, STOP) kept with the
// scratch contact, never in the relays table. No group ever sees a practice offer, and none
// writes back, so nothing here is sent anywhere.
import type { RelayOffer, RelayRecord, RelayStatus, ResidentRelays } from "./relay-store.js";

/** A scratch relay as JSON-ready data (dates as ISO strings). */
export type ScratchRelay = Omit<RelayRecord, "createdAt" | "openedAt" | "endedAt"> & {
  readonly createdAt: string;
  readonly openedAt: string | null;
  readonly endedAt: string | null;
};

const record = (r: ScratchRelay): RelayRecord => ({
  ...r,
  createdAt: new Date(r.createdAt),
  openedAt: r.openedAt ? new Date(r.openedAt) : null,
  endedAt: r.endedAt ? new Date(r.endedAt) : null,
});

export class ScratchRelays implements ResidentRelays {
  private relays: ScratchRelay[];

  constructor(
    relays: readonly ScratchRelay[] = [],
    private readonly newId: () => string,
  ) {
    this.relays = [...relays];
  }

  snapshot(): readonly ScratchRelay[] {
    return this.relays;
  }

  private mine(contactId: string, since?: Date): ScratchRelay[] {
    return this.relays.filter(
      (r) => r.contactId === contactId && (!since || new Date(r.createdAt).getTime() >= since.getTime()),
    );
  }

  private set(id: string, change: Partial<ScratchRelay>, when: (r: ScratchRelay) => boolean = () => true): number {
    let changed = 0;
    this.relays = this.relays.map((r) => (r.id === id && when(r) ? (changed++, { ...r, ...change }) : r));
    return changed;
  }

  async suggest(
    contactId: string,
    groups: readonly { id: string; name: string }[],
    offer: RelayOffer,
    now: Date,
  ): Promise<void> {
    this.relays = this.relays
      .filter((r) => !(r.contactId === contactId && r.status === "suggested"))
      .map((r) => (r.contactId === contactId ? { ...r, position: 0 } : r));
    groups.forEach((group, index) => {
      const existing = this.relays.find((r) => r.contactId === contactId && r.groupId === group.id);
      if (existing) this.set(existing.id, { position: index + 1, offer, groupName: group.name });
      else
        this.relays.push({
          id: this.newId(),
          contactId,
          groupId: group.id,
          groupName: group.name,
          position: index + 1,
          offer,
          status: "suggested",
          createdAt: now.toISOString(),
          openedAt: null,
          endedAt: null,
        });
    });
  }

  async shown(contactId: string, position: number, since: Date): Promise<RelayRecord | null> {
    const r = this.mine(contactId, since).find((x) => x.position === position);
    return r ? record(r) : null;
  }

  async stillShown(contactId: string, since: Date): Promise<RelayRecord[]> {
    return this.mine(contactId, since)
      .filter((r) => r.status === "suggested" && r.position > 0)
      .sort((a, b) => a.position - b.position)
      .map(record);
  }

  async anyShown(contactId: string, since: Date): Promise<boolean> {
    return this.mine(contactId, since).some((r) => r.position > 0);
  }

  async open(id: string, now: Date): Promise<void> {
    this.set(id, { status: "open", openedAt: now.toISOString(), endedAt: null });
  }

  async end(id: string, status: "declined" | "stopped", now: Date): Promise<void> {
    this.set(id, { status, endedAt: now.toISOString() }, (r) => r.status === "open");
  }

  async endAll(contactId: string, now: Date): Promise<number> {
    let count = 0;
    for (const r of this.mine(contactId).filter((x) => x.status === "open"))
      count += this.set(r.id, { status: "stopped" as RelayStatus, endedAt: now.toISOString() });
    return count;
  }

  /** No group writes to a practice resident: only the most recently opened relay, when asked for. */
  async current(contactId: string, _since: Date, anyOpen = false): Promise<RelayRecord | null> {
    if (!anyOpen) return null;
    const open = this.mine(contactId)
      .filter((r) => r.status === "open")
      .sort((a, b) => (b.openedAt ?? "").localeCompare(a.openedAt ?? ""));
    return open[0] ? record(open[0]) : null;
  }

  async ofContact(contactId: string): Promise<RelayRecord[]> {
    return this.mine(contactId)
      .filter((r) => r.status !== "suggested")
      .sort((a, b) => (a.openedAt ?? "").localeCompare(b.openedAt ?? ""))
      .map(record);
  }

  async addMessage(): Promise<string> {
    return this.newId();
  }

  async suspended(): Promise<boolean> {
    return false;
  }
}
