// Champions and their codes, and the aggregate view of what their codes achieved. Only counts
// leave this file, and every count below the disclosure threshold is withheld.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Clock } from "../clock.js";
import { publishTally, type Tally } from "../insights/disclosure.js";
import { OFFER_SOURCE } from "../store/rollups.js";
import { generateCode } from "./codes.js";

export interface CreatedChampion {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  /** The secret for the champion's view link; shown once, only its hash is kept. */
  readonly viewToken: string;
}

/** A count as published: the number, or withheld because it is below the threshold. */
export type PublishedCount = { readonly value: number } | { readonly fewerThan: number };

export interface ChampionView {
  readonly name: string;
  readonly organisation: string | null;
  readonly codes: readonly { code: string; campaign: string | null; retired: boolean }[];
  readonly reached: PublishedCount;
  readonly finished: PublishedCount;
  readonly laterTouches: PublishedCount;
  readonly topPriorities: readonly { theme: string; count: PublishedCount }[];
  /** What the residents they brought could offer their area (their latest finished offer), kinds that clear the threshold. */
  readonly couldOffer: readonly { kind: string; count: PublishedCount }[];
  readonly retired: false;
}

/** A retired champion's page: who they are, and nothing else. */
export interface RetiredChampionView {
  readonly name: string;
  readonly organisation: string | null;
  readonly retired: true;
}

export function hashViewToken(token: string): string {
  return createHash("sha256").update(`placevoice-champion-view:${token}`).digest("hex");
}

/** A count through the one disclosure gate (src/insights/disclosure.ts), in the champion page's shape. */
export function publish(tally: Tally, k: number): PublishedCount {
  const cell = publishTally(tally, k);
  return cell.count === null ? { fewerThan: k } : { value: cell.count };
}

/**
 * Residents as one count with their key sum, so it is adjusted as every published count is:
 * all of `keys`, or those of `contactIds` among them.
 */
function tallyOf(keys: ReadonlyMap<string, number>, contactIds: Iterable<string> = keys.keys()): Tally {
  let count = 0;
  let keySum = 0;
  for (const id of contactIds) {
    count++;
    keySum += keys.get(id) ?? 0;
  }
  return { count, keySum };
}

export class ChampionStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: () => string,
    private readonly now: Clock,
  ) {}

  private async freshCode(): Promise<string> {
    for (let i = 0; i < 20; i++) {
      const code = generateCode(i < 10 ? 6 : 8);
      if (!(await this.prisma.referralCode.findUnique({ where: { code } }))) return code;
    }
    throw new Error("Could not find a free code");
  }

  async create(name: string, organisation: string | undefined): Promise<CreatedChampion> {
    const id = this.newId();
    const code = await this.freshCode();
    const viewToken = randomBytes(24).toString("base64url");
    await this.prisma.champion.create({
      data: {
        id,
        name,
        organisation: organisation ?? null,
        viewTokenHash: hashViewToken(viewToken),
        createdAt: this.now(),
        codes: { create: { code, createdAt: this.now() } },
      },
    });
    return { id, name, code, viewToken };
  }

  /** A campaign code for an existing champion (a poster per estate), starting `flowId` if given (else the entry flow). */
  async addCampaign(
    championCode: string,
    campaign: string,
    flowId?: string,
  ): Promise<{ code: string; champion: string }> {
    const owner = await this.prisma.referralCode.findUnique({
      where: { code: championCode.toUpperCase() },
      include: { champion: true },
    });
    if (!owner) throw new Error(`No champion with code ${championCode.toUpperCase()}`);
    const code = await this.freshCode();
    await this.prisma.referralCode.create({
      data: { code, championId: owner.championId, campaign, ...(flowId ? { flowId } : {}), createdAt: this.now() },
    });
    return { code, champion: owner.champion.name };
  }

  /** One code as an operator sees it: whose it is, its campaign and flow, and whether it is retired. */
  async code(code: string): Promise<{
    code: string;
    champion: string;
    campaign: string | null;
    flowId: string | null;
    retired: boolean;
  } | null> {
    const row = await this.prisma.referralCode.findUnique({
      where: { code: code.toUpperCase() },
      include: { champion: true },
    });
    return row
      ? {
          code: row.code,
          champion: row.champion.name,
          campaign: row.campaign,
          flowId: row.flowId,
          retired: row.retiredAt !== null || row.champion.revokedAt !== null,
        }
      : null;
  }

  /** Retires a code (the poster came down): it brings no one in from now on; whom it brought stays counted. */
  async retireCode(code: string): Promise<{ code: string; champion: string } | null> {
    const row = await this.prisma.referralCode.findUnique({
      where: { code: code.toUpperCase() },
      include: { champion: true },
    });
    if (!row) return null;
    if (row.retiredAt === null)
      await this.prisma.referralCode.update({ where: { code: row.code }, data: { retiredAt: this.now() } });
    return { code: row.code, champion: row.champion.name };
  }

  /**
   * Retires a champion (they stopped volunteering, or their link went astray): none of their codes
   * brings anyone in from now on, their private page says so and shows nothing else; whom their
   * codes brought stays counted. `code` is any of their codes.
   */
  async retireChampion(code: string): Promise<{ name: string; codes: string[] } | null> {
    const row = await this.prisma.referralCode.findUnique({
      where: { code: code.toUpperCase() },
      include: { champion: { include: { codes: { select: { code: true }, orderBy: { code: "asc" } } } } },
    });
    if (!row) return null;
    if (row.champion.revokedAt === null)
      await this.prisma.champion.update({ where: { id: row.championId }, data: { revokedAt: this.now() } });
    return { name: row.champion.name, codes: row.champion.codes.map((c) => c.code) };
  }

  /**
   * Every champion and their codes; with `reach`, also how many residents their codes brought in,
   * through the disclosure gate as on the champion's own page.
   */
  async list(reach?: { readonly k: number }): Promise<
    {
      id: string;
      name: string;
      organisation: string | null;
      codes: { code: string; campaign: string | null; flowId: string | null; retired: boolean }[];
      revoked: boolean;
      reached?: PublishedCount;
    }[]
  > {
    const rows = await this.prisma.champion.findMany({
      include: { codes: { orderBy: [{ campaign: { sort: "asc", nulls: "first" } }, { code: "asc" }] } },
      orderBy: [{ createdAt: "asc" }, { name: "asc" }, { id: "asc" }],
    });
    // The champion's own code (no campaign) first, then campaigns as they were made: the order
    // holds even when two codes share an instant or two machines' clocks disagree.
    const ownFirst = (codes: (typeof rows)[number]["codes"]) => [
      ...codes.filter((c) => c.campaign === null),
      ...codes.filter((c) => c.campaign !== null),
    ];
    const reached = new Map<string, PublishedCount>();
    if (reach)
      for (const r of rows)
        reached.set(r.id, publish(tallyOf(await this.broughtIn(r.codes.map((c) => c.code))), reach.k));
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      organisation: r.organisation,
      revoked: r.revokedAt !== null,
      codes: ownFirst(r.codes).map((c) => ({
        code: c.code,
        campaign: c.campaign,
        flowId: c.flowId,
        retired: c.retiredAt !== null,
      })),
      ...(reached.has(r.id) ? { reached: reached.get(r.id)! } : {}),
    }));
  }

  /** The residents attributed to any of `codes`, each with their record key (for the gate's adjustment). */
  private async broughtIn(codes: readonly string[]): Promise<Map<string, number>> {
    const contacts =
      codes.length === 0
        ? []
        : await this.prisma.contact.findMany({
            where: { attribution: { in: [...codes] } },
            select: { id: true, recordKey: true },
          });
    return new Map(contacts.map((c) => [c.id, c.recordKey]));
  }

  /**
   * The champion behind `code`, if `token` is their view secret; otherwise null (and no hint which
   * was wrong). A retired champion's view says only that they are retired.
   */
  async view(
    code: string,
    token: string,
    k: number,
    entryFlowId: string,
    prioritiesKey = "priorities",
  ): Promise<ChampionView | RetiredChampionView | null> {
    const champion = await this.prisma.champion.findUnique({
      where: { viewTokenHash: hashViewToken(token) },
      include: { codes: true },
    });
    if (!champion || !champion.codes.some((c) => c.code === code.toUpperCase())) return null;
    if (champion.revokedAt !== null) return { name: champion.name, organisation: champion.organisation, retired: true };
    const codes = champion.codes.map((c) => c.code);
    const keyOf = await this.broughtIn(codes);
    const ids = [...keyOf.keys()];
    const finishers =
      ids.length === 0
        ? []
        : await this.prisma.flowCompletion.groupBy({
            by: ["contactId"],
            where: { contactId: { in: ids }, flowId: entryFlowId },
          });
    const touchRows = await this.prisma.referralTouch.findMany({
      where: { code: { in: codes } },
      select: { contactId: true, contact: { select: { recordKey: true } } },
    });
    const touches: Tally = {
      count: touchRows.length,
      keySum: touchRows.reduce((sum, t) => sum + t.contact.recordKey, 0),
    };
    const answers =
      ids.length === 0
        ? []
        : await this.prisma.answer.findMany({
            where: { contactId: { in: ids }, questionKey: prioritiesKey },
            select: { value: true, contactId: true },
          });
    const pickedBy = new Map<string, Set<string>>();
    const pick = (byTheme: Map<string, Set<string>>, theme: string, contactId: string | null) => {
      const who = byTheme.get(theme) ?? new Set<string>();
      if (contactId) who.add(contactId);
      byTheme.set(theme, who);
    };
    for (const a of answers) {
      const value = JSON.parse(a.value) as unknown;
      for (const theme of Array.isArray(value) ? value : typeof value === "string" ? [value] : [])
        pick(pickedBy, String(theme), a.contactId);
    }
    // Offers as counted for partners: one fact per kind of each resident's latest finished offer.
    const offeredBy = new Map<string, Set<string>>();
    const offerFacts =
      ids.length === 0
        ? []
        : await this.prisma.themeFact.findMany({
            where: { contactId: { in: ids }, source: OFFER_SOURCE },
            select: { theme: true, contactId: true },
          });
    for (const f of offerFacts) pick(offeredBy, f.theme, f.contactId);
    // Only themes (and kinds) whose own count clears the threshold are listed at all.
    const cleared = (byTheme: Map<string, Set<string>>) =>
      [...byTheme.entries()]
        .map(([theme, who]) => ({ theme, count: publish(tallyOf(keyOf, who), k) }))
        .filter((p): p is { theme: string; count: { value: number } } => "value" in p.count)
        .sort((a, b) => b.count.value - a.count.value || a.theme.localeCompare(b.theme))
        .slice(0, 5);
    const topPriorities = cleared(pickedBy);
    const couldOffer = cleared(offeredBy).map(({ theme, count }) => ({ kind: theme, count }));
    return {
      name: champion.name,
      organisation: champion.organisation,
      codes: champion.codes.map((c) => ({ code: c.code, campaign: c.campaign, retired: c.retiredAt !== null })),
      reached: publish(tallyOf(keyOf), k),
      finished: publish(
        tallyOf(
          keyOf,
          finishers.map((f) => f.contactId),
        ),
        k,
      ),
      laterTouches: publish(touches, k),
      topPriorities,
      couldOffer,
      retired: false,
    };
  }
}
