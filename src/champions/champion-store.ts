// Champions and their codes, and the aggregate view of what their codes achieved. Only counts
// leave this file, and every count below the disclosure threshold is withheld.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Clock } from "../clock.js";
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
  readonly codes: readonly { code: string; campaign: string | null }[];
  readonly reached: PublishedCount;
  readonly finished: PublishedCount;
  readonly laterTouches: PublishedCount;
  readonly topPriorities: readonly { theme: string; count: PublishedCount }[];
}

export function hashViewToken(token: string): string {
  return createHash("sha256").update(`placevoice-champion-view:${token}`).digest("hex");
}

export function publish(count: number, k: number): PublishedCount {
  return count >= k ? { value: count } : { fewerThan: k };
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
      data: { id, name, organisation: organisation ?? null, viewTokenHash: hashViewToken(viewToken), createdAt: this.now(), codes: { create: { code, createdAt: this.now() } } },
    });
    return { id, name, code, viewToken };
  }

  /** A campaign code for an existing champion (a poster per estate). */
  async addCampaign(championCode: string, campaign: string): Promise<{ code: string; champion: string }> {
    const owner = await this.prisma.referralCode.findUnique({ where: { code: championCode.toUpperCase() }, include: { champion: true } });
    if (!owner) throw new Error(`No champion with code ${championCode.toUpperCase()}`);
    const code = await this.freshCode();
    await this.prisma.referralCode.create({ data: { code, championId: owner.championId, campaign, createdAt: this.now() } });
    return { code, champion: owner.champion.name };
  }

  async list(): Promise<{ name: string; organisation: string | null; codes: { code: string; campaign: string | null }[]; revoked: boolean }[]> {
    const rows = await this.prisma.champion.findMany({
      include: { codes: { orderBy: [{ createdAt: "asc" }, { code: "asc" }] } },
      orderBy: [{ createdAt: "asc" }, { name: "asc" }, { id: "asc" }],
    });
    // The champion's own code (no campaign) first, then campaigns as they were made: the order
    // holds even when two codes share an instant or two machines' clocks disagree.
    const ownFirst = (codes: typeof rows[number]["codes"]) => [...codes.filter((c) => c.campaign === null), ...codes.filter((c) => c.campaign !== null)];
    return rows.map((r) => ({ name: r.name, organisation: r.organisation, revoked: r.revokedAt !== null, codes: ownFirst(r.codes).map((c) => ({ code: c.code, campaign: c.campaign })) }));
  }

  /** The champion behind `code`, if `token` is their view secret; otherwise null (and no hint which was wrong). */
  async view(code: string, token: string, k: number, entryFlowId: string, prioritiesKey = "priorities"): Promise<ChampionView | null> {
    const champion = await this.prisma.champion.findUnique({ where: { viewTokenHash: hashViewToken(token) }, include: { codes: true } });
    if (!champion || champion.revokedAt !== null || !champion.codes.some((c) => c.code === code.toUpperCase())) return null;
    const codes = champion.codes.map((c) => c.code);
    const contacts = await this.prisma.contact.findMany({ where: { attribution: { in: codes } }, select: { id: true } });
    const ids = contacts.map((c) => c.id);
    const finished = ids.length === 0 ? 0 : (await this.prisma.flowCompletion.groupBy({ by: ["contactId"], where: { contactId: { in: ids }, flowId: entryFlowId } })).length;
    const touches = await this.prisma.referralTouch.count({ where: { code: { in: codes } } });
    const answers = ids.length === 0 ? [] : await this.prisma.answer.findMany({ where: { contactId: { in: ids }, questionKey: prioritiesKey }, select: { value: true } });
    const themeCounts = new Map<string, number>();
    for (const a of answers) {
      const value = JSON.parse(a.value) as unknown;
      for (const theme of Array.isArray(value) ? value : typeof value === "string" ? [value] : []) themeCounts.set(String(theme), (themeCounts.get(String(theme)) ?? 0) + 1);
    }
    // Only themes whose own count clears the threshold are listed at all.
    const topPriorities = [...themeCounts.entries()]
      .filter(([, n]) => n >= k)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 5)
      .map(([theme, n]) => ({ theme, count: publish(n, k) }));
    return {
      name: champion.name,
      organisation: champion.organisation,
      codes: champion.codes.map((c) => ({ code: c.code, campaign: c.campaign })),
      reached: publish(ids.length, k),
      finished: publish(finished, k),
      laterTouches: publish(touches, k),
      topPriorities,
    };
  }
}
