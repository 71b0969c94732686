// Warm handoffs (relays), a cold path over Prisma on both runtimes. After an offer, the groups a
// resident was shown are kept as `suggested` (what "CONTACT 2" refers to); a relay opens only
// when the resident asks that one group to get in touch, and ends when they say no thanks
// (declined) or STOP (stopped). A group reads only its own relays that were opened, and only the
// offer (area, what, when) and the messages: never the contact's address. Erasing a contact
// erases its relays and their messages (foreign keys cascade).
import type { PrismaClient } from "../generated/prisma/client.js";
import { toContactRecord } from "./contact-record.js";
import type { ContactRecord } from "./types.js";

export type RelayStatus = "suggested" | "open" | "declined" | "stopped";

/** What a group may see of an offer. */
export interface RelayOffer {
  readonly area: string | null;
  /** Option ids of the offers flow (time, skill, lifts…). */
  readonly kinds: readonly string[];
  /** Option id of when they could help, or null. */
  readonly when: string | null;
}

export interface RelayRecord {
  readonly id: string;
  readonly contactId: string;
  readonly groupId: string;
  readonly groupName: string;
  readonly position: number;
  readonly offer: RelayOffer;
  readonly status: RelayStatus;
  readonly createdAt: Date;
  readonly openedAt: Date | null;
  readonly endedAt: Date | null;
}

export interface RelayMessageRecord {
  readonly id: string;
  readonly from: "group" | "resident";
  readonly text: string;
  readonly createdAt: Date;
}

type Row = {
  id: string;
  contactId: string;
  groupId: string;
  groupName: string;
  position: number;
  offer: string;
  status: string;
  createdAt: Date;
  openedAt: Date | null;
  endedAt: Date | null;
};

const STATUSES: readonly RelayStatus[] = ["suggested", "open", "declined", "stopped"];

function toRelay(row: Row): RelayRecord {
  const offer = JSON.parse(row.offer) as Partial<RelayOffer>;
  return {
    id: row.id,
    contactId: row.contactId,
    groupId: row.groupId,
    groupName: row.groupName,
    position: row.position,
    offer: { area: offer.area ?? null, kinds: offer.kinds ?? [], when: offer.when ?? null },
    status: (STATUSES as readonly string[]).includes(row.status) ? (row.status as RelayStatus) : "stopped",
    createdAt: row.createdAt,
    openedAt: row.openedAt,
    endedAt: row.endedAt,
  };
}

/** Relays a group may ever see: those a resident opened (open or ended since). */
const CONSENTED = { not: "suggested" } as const;

/** What the conversation host asks of relays about one resident (the simulator keeps its own: scratch-relays.ts). */
export type ResidentRelays = Pick<
  RelayStore,
  | "suggest"
  | "shown"
  | "stillShown"
  | "anyShown"
  | "open"
  | "end"
  | "endAll"
  | "current"
  | "ofContact"
  | "addMessage"
  | "suspended"
>;

export class RelayStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: () => string,
  ) {}

  /**
   * The groups just shown to a resident after an offer, in order: what they reply to ask one.
   * Earlier suggestions go; a relay already opened with a group keeps its status and takes the new offer.
   */
  async suggest(
    contactId: string,
    groups: readonly { id: string; name: string }[],
    offer: RelayOffer,
    now: Date,
  ): Promise<void> {
    const json = JSON.stringify(offer);
    await this.prisma.relay.deleteMany({ where: { contactId, status: "suggested" } });
    await this.prisma.relay.updateMany({ where: { contactId }, data: { position: 0 } });
    for (const [index, group] of groups.entries()) {
      await this.prisma.relay.upsert({
        where: { contactId_groupId: { contactId, groupId: group.id } },
        create: {
          id: this.newId(),
          contactId,
          groupId: group.id,
          groupName: group.name,
          position: index + 1,
          offer: json,
          createdAt: now,
        },
        update: { position: index + 1, offer: json, groupName: group.name },
      });
    }
  }

  /** The group at `position` in the latest list shown to the resident, if it was shown since `since`. */
  async shown(contactId: string, position: number, since: Date): Promise<RelayRecord | null> {
    const row = await this.prisma.relay.findFirst({ where: { contactId, position, createdAt: { gte: since } } });
    return row ? toRelay(row) : null;
  }

  /** The groups in the latest list, shown since `since`, that the resident has not asked yet, in order. */
  async stillShown(contactId: string, since: Date): Promise<RelayRecord[]> {
    const rows = await this.prisma.relay.findMany({
      where: { contactId, status: "suggested", position: { gt: 0 }, createdAt: { gte: since } },
      orderBy: { position: "asc" },
    });
    return rows.map(toRelay);
  }

  /** Whether a list of groups was shown to the resident since `since` (a bare number then picks one). */
  async anyShown(contactId: string, since: Date): Promise<boolean> {
    return (
      (await this.prisma.relay.count({ where: { contactId, position: { gt: 0 }, createdAt: { gte: since } } })) > 0
    );
  }

  /** The resident's explicit consent: this one group may now see the offer and message them. */
  async open(id: string, now: Date): Promise<void> {
    await this.prisma.relay.update({ where: { id }, data: { status: "open", openedAt: now, endedAt: null } });
  }

  /** Ends one relay (declined: the resident said no thanks). */
  async end(id: string, status: "declined" | "stopped", now: Date): Promise<void> {
    await this.prisma.relay.updateMany({ where: { id, status: "open" }, data: { status, endedAt: now } });
  }

  /** STOP: every open relay of the contact ends; returns how many. */
  async endAll(contactId: string, now: Date): Promise<number> {
    const result = await this.prisma.relay.updateMany({
      where: { contactId, status: "open" },
      data: { status: "stopped", endedAt: now },
    });
    return result.count;
  }

  /**
   * The open relay the resident's words are for: the one whose group wrote last (since `since`),
   * or, with `anyOpen`, the most recently opened one when no group has written.
   */
  async current(contactId: string, since: Date, anyOpen = false): Promise<RelayRecord | null> {
    const written = await this.prisma.relayMessage.findFirst({
      where: { from: "group", createdAt: { gte: since }, relay: { contactId, status: "open" } },
      orderBy: { createdAt: "desc" },
      include: { relay: true },
    });
    if (written) return toRelay(written.relay);
    if (!anyOpen) return null;
    const opened = await this.prisma.relay.findFirst({
      where: { contactId, status: "open" },
      orderBy: { openedAt: "desc" },
    });
    return opened ? toRelay(opened) : null;
  }

  /** Every group a resident asked to get in touch (MYDATA), oldest first. */
  async ofContact(contactId: string): Promise<RelayRecord[]> {
    const rows = await this.prisma.relay.findMany({
      where: { contactId, status: CONSENTED },
      orderBy: { openedAt: "asc" },
    });
    return rows.map(toRelay);
  }

  /** A group's relays, newest first, with their messages: only those residents opened to it. */
  async forGroup(groupId: string): Promise<(RelayRecord & { messages: RelayMessageRecord[] })[]> {
    const rows = await this.prisma.relay.findMany({
      where: { groupId, status: CONSENTED },
      orderBy: { openedAt: "desc" },
      include: { messages: { orderBy: { createdAt: "asc" } } },
    });
    return rows.map((row) => ({
      ...toRelay(row),
      messages: row.messages.map((m) => ({
        id: m.id,
        from: m.from === "group" ? "group" : "resident",
        text: m.text,
        createdAt: m.createdAt,
      })),
    }));
  }

  /** One relay as its group may see it, with the contact to reach; null for any other group or a relay never opened. */
  async ofGroup(id: string, groupId: string): Promise<{ relay: RelayRecord; contact: ContactRecord } | null> {
    const row = await this.prisma.relay.findFirst({
      where: { id, groupId, status: CONSENTED },
      include: { contact: true },
    });
    return row ? { relay: toRelay(row), contact: toContactRecord(row.contact) } : null;
  }

  async addMessage(relayId: string, from: "group" | "resident", text: string, now: Date): Promise<string> {
    const id = this.newId();
    await this.prisma.relayMessage.create({ data: { id, relayId, from, text, createdAt: now } });
    return id;
  }

  /** How many messages groups have sent a resident since `since` (the weekly limit). */
  groupMessagesTo(contactId: string, since: Date): Promise<number> {
    return this.prisma.relayMessage.count({
      where: { from: "group", createdAt: { gte: since }, relay: { contactId } },
    });
  }

  async suspend(groupId: string, actor: string, now: Date): Promise<boolean> {
    if (await this.suspended(groupId)) return false;
    await this.prisma.relaySuspension.create({ data: { groupId, actor, suspendedAt: now } });
    return true;
  }

  async resume(groupId: string): Promise<boolean> {
    return (await this.prisma.relaySuspension.deleteMany({ where: { groupId } })).count > 0;
  }

  async suspended(groupId: string): Promise<boolean> {
    return (await this.prisma.relaySuspension.count({ where: { groupId } })) > 0;
  }

  /** Groups residents have opened relays to, and suspended groups, for the operator: names only, no counts. */
  async groups(): Promise<{ groupId: string; groupName: string; suspended: boolean }[]> {
    const [rows, suspensions] = await Promise.all([
      this.prisma.relay.findMany({
        where: { status: CONSENTED },
        distinct: ["groupId"],
        select: { groupId: true, groupName: true },
      }),
      this.prisma.relaySuspension.findMany(),
    ]);
    const suspended = new Set(suspensions.map((s) => s.groupId));
    const out = new Map(rows.map((r) => [r.groupId, { ...r, suspended: suspended.has(r.groupId) }]));
    for (const groupId of suspended)
      if (!out.has(groupId)) out.set(groupId, { groupId, groupName: groupId, suspended: true });
    return [...out.values()].sort((a, b) => a.groupName.localeCompare(b.groupName));
  }
}
