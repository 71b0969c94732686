// Insight pushed to partners instead of waiting to be asked. The feed is the same aggregated
// insight the API serves (every number through disclosure control), for the partner's areas,
// plus the updates published there. Partners poll it at /api/v1/feed (ETag / If-None-Match),
// or register a webhook: each week (and on demand) it is POSTed as JSON, signed with an HMAC
// header, retried with backoff, and kept in a delivery log.
//
// Signature: `X-PlaceVoice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
// The secret (`whsec_…`) is shown once when the webhook is registered; it is derived from
// APP_SECRET and a random nonce stored with the partner, so it is never stored itself.
import { createHash, createHmac, randomBytes } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";
import { THEMES } from "../directory/themes.js";
import { MAX_ADJUSTMENT, type Cell } from "../insights/disclosure.js";
import type { PartnerIdentity } from "../insights/partners.js";
import type { InsightQueries, ThemeTable } from "../insights/queries.js";
import { WEIGHTING_CAVEAT, type ReachQueries } from "../insights/reach.js";
import type { Logger } from "../log.js";
import type { UpdateService } from "./updates.js";

export interface FeedDeps {
  readonly prisma: PrismaClient;
  readonly queries: InsightQueries;
  /** Reach against the population baseline, in the feed when present. */
  readonly reach?: ReachQueries;
  readonly updates: UpdateService;
  readonly themeLabel: (id: string) => string;
  readonly threshold: number;
  /** Keys the webhook signing secrets. */
  readonly appSecret: string;
  readonly log: Logger;
  readonly now: () => Date;
  readonly newId: () => string;
  /** POSTs a delivery; each runtime's only ever connects to a public address (src/net/public-address.ts). */
  readonly post: WebhookPoster;
  /** Checks an address a partner typed before it is registered: null when fine, else why not, in words. */
  readonly vet: (url: string) => Promise<string | null>;
}

/** What became of one POST: an answer with its status, or no answer at all (refused address, no connection, timeout). */
export type WebhookPostResult =
  | { readonly kind: "answered"; readonly status: number }
  | { readonly kind: "unreachable" }
  | { readonly kind: "timeout" };
export type WebhookPoster = (url: string, body: string, headers: Record<string, string>) => Promise<WebhookPostResult>;

/** What the delivery log tells the partner: nothing that maps a network. */
export function deliveryOutcome(result: WebhookPostResult): { status: number | null; error: string | null } {
  if (result.kind === "answered")
    return result.status >= 200 && result.status < 300
      ? { status: result.status, error: null }
      : { status: result.status, error: `refused by your server (HTTP ${result.status})` };
  return { status: null, error: "could not connect" };
}

export const SIGNATURE_HEADER = "X-PlaceVoice-Signature";
const MAX_ATTEMPTS = 8;
const WEEK = 7 * 86_400_000;

/** Minutes until the next try: 1, 2, 4 … up to 6 hours. */
export function webhookBackoffMs(attempt: number): number {
  return Math.min(6 * 3_600_000, 60_000 * 2 ** (attempt - 1));
}

/** The signature header value for a body, as a receiver recomputes it. */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

type FeedTable = {
  respondents: Cell;
  rows: { theme: string; label: string; count: number | null; share: number | null }[];
};

export class PartnerFeed {
  constructor(private readonly deps: FeedDeps) {}

  private secretFor(partnerId: string, nonce: string): string {
    return `whsec_${createHmac("sha256", `placevoice-webhook:${this.deps.appSecret}`).update(`${partnerId}:${nonce}`).digest("base64url")}`;
  }

  private table(t: ThemeTable): FeedTable {
    return {
      respondents: t.respondents,
      rows: t.rows.map((r) => ({
        theme: r.theme,
        label: this.deps.themeLabel(r.theme),
        count: r.count,
        share: r.share,
      })),
    };
  }

  /** The feed for a partner, all time to today: the same insight on the same day gives the same bytes (and ETag). */
  async feed(partner: PartnerIdentity): Promise<Record<string, unknown>> {
    const filter = { allowedAreas: partner.areas };
    const period = await this.deps.queries.resolvePeriod({ kind: "all" }, this.deps.now());
    const [priorities, ownWords, updates, reach] = await Promise.all([
      this.deps.queries.themeTable(filter, "choice", THEMES),
      this.deps.queries.themeTable(filter, "text", THEMES),
      this.deps.updates.stats(partner.areas),
      this.deps.reach?.report(filter, period),
    ]);
    const byArea = [];
    for (const area of partner.areas)
      byArea.push({
        area,
        priorities: this.table(
          await this.deps.queries.themeTable({ allowedAreas: partner.areas, area }, "choice", THEMES),
        ),
      });
    return {
      partner: partner.name,
      areas: partner.areas.length > 0 ? partner.areas : "all",
      period: { id: period.id, from: period.from, to: period.to },
      threshold: this.deps.threshold,
      note: `Numbers under ${this.deps.threshold}, and numbers that would reveal one by subtraction, are null; the others are slightly adjusted (never by more than ${MAX_ADJUSTMENT}) so that no small group of residents can be worked out from them.`,
      priorities: this.table(priorities),
      themesInOwnWords: this.table(ownWords),
      byArea,
      // Published counts per area and age band, with rates against the operator's population baseline.
      ...(reach
        ? {
            reach: {
              weightingCaveat: WEIGHTING_CAVEAT,
              areasHeardLeast: reach.areasHeardLeast.map((a) => a.area),
              areas: reach.areas.map((a) => ({
                area: a.area,
                baseline: a.baseline,
                heard: a.heard,
                per1000: a.per1000,
                throughChampions: a.throughChampions,
                ageMix: a.bands.map((b) => ({
                  band: b.band,
                  population: b.population,
                  heard: b.heard,
                  per1000: b.per1000,
                  respondentShare: b.respondentShare,
                  populationShare: b.populationShare,
                })),
                weighted: a.weighted.shown
                  ? {
                      base: a.weighted.base,
                      effectiveSampleSize: a.weighted.effectiveSampleSize,
                      rows: a.weighted.rows,
                    }
                  : null,
              })),
            },
          }
        : {}),
      updates: updates.map((u) => ({
        id: u.id,
        date: u.createdAt.toISOString().slice(0, 10),
        areas: u.areas,
        theme: u.theme,
        youSaid: u.youSaid,
        weDid: u.weDid,
        link: u.link,
        sentTo: u.audience.count,
        delivered: u.delivered.count,
        helpful: u.helpful.count,
        notHelpful: u.notHelpful.count,
      })),
    };
  }

  static etag(body: string): string {
    return `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
  }

  /** Why this address may not be registered, in words; null when it may. */
  vet(url: string): Promise<string | null> {
    return this.deps.vet(url);
  }

  /** Registers (or replaces) a partner's webhook; returns the signing secret, shown once. */
  async register(partnerId: string, url: string): Promise<string> {
    const nonce = randomBytes(16).toString("base64url");
    await this.deps.prisma.partner.update({ where: { id: partnerId }, data: { webhookUrl: url, webhookNonce: nonce } });
    return this.secretFor(partnerId, nonce);
  }

  async unregister(partnerId: string): Promise<void> {
    await this.deps.prisma.partner.update({ where: { id: partnerId }, data: { webhookUrl: null, webhookNonce: null } });
  }

  /** Queues the current feed for a partner's webhook ("on_demand" or "weekly"); null when none is registered. */
  async enqueue(partner: PartnerIdentity, kind: "weekly" | "on_demand"): Promise<string | null> {
    const row = await this.deps.prisma.partner.findUnique({
      where: { id: partner.id },
      select: { webhookUrl: true, revokedAt: true },
    });
    if (!row?.webhookUrl || row.revokedAt) return null;
    const id = this.deps.newId();
    const body = JSON.stringify({ id, kind, sentAt: this.deps.now().toISOString(), feed: await this.feed(partner) });
    await this.deps.prisma.webhookDelivery.create({
      data: {
        id,
        partnerId: partner.id,
        kind,
        payload: body,
        nextAttemptAt: this.deps.now(),
        createdAt: this.deps.now(),
      },
    });
    return id;
  }

  /** Queues the weekly feed for every partner with a webhook whose last weekly one is a week old. */
  async enqueueWeekly(partners: (id: string) => Promise<PartnerIdentity | null>): Promise<number> {
    const now = this.deps.now();
    const withHooks = await this.deps.prisma.partner.findMany({
      where: { webhookUrl: { not: null }, revokedAt: null },
      select: { id: true },
    });
    let queued = 0;
    for (const { id } of withHooks) {
      const last = await this.deps.prisma.webhookDelivery.findFirst({
        where: { partnerId: id, kind: "weekly" },
        orderBy: { createdAt: "desc" },
        select: { createdAt: true },
      });
      if (last && now.getTime() - last.createdAt.getTime() < WEEK) continue;
      const partner = await partners(id);
      if (partner && (await this.enqueue(partner, "weekly"))) queued++;
    }
    return queued;
  }

  /** Sends what is due: signed POSTs, retried with backoff on failure, dead after 8 tries. */
  async deliverDue(limit = 50): Promise<{ delivered: number; failed: number; dead: number }> {
    const now = this.deps.now();
    const due = await this.deps.prisma.webhookDelivery.findMany({
      where: { status: "pending", nextAttemptAt: { lte: now } },
      orderBy: { nextAttemptAt: "asc" },
      take: limit,
      include: { partner: true },
    });
    const report = { delivered: 0, failed: 0, dead: 0 };
    for (const d of due) {
      const attempts = d.attempts + 1;
      let status: number | null = null;
      let error: string | null = null;
      if (!d.partner.webhookUrl || !d.partner.webhookNonce || d.partner.revokedAt) error = "no webhook registered";
      else {
        const result = await this.deps.post(d.partner.webhookUrl, d.payload, {
          "Content-Type": "application/json",
          [SIGNATURE_HEADER]: signWebhook(
            this.secretFor(d.partnerId, d.partner.webhookNonce),
            d.payload,
            this.deps.now(),
          ),
          "X-PlaceVoice-Delivery": d.id,
          "User-Agent": "PlaceVoice-Webhook/1",
        });
        ({ status, error } = deliveryOutcome(result));
      }
      if (!error) {
        await this.deps.prisma.webhookDelivery.update({
          where: { id: d.id },
          data: { status: "delivered", attempts, lastStatus: status, lastError: null, deliveredAt: this.deps.now() },
        });
        report.delivered++;
      } else if (attempts >= MAX_ATTEMPTS) {
        await this.deps.prisma.webhookDelivery.update({
          where: { id: d.id },
          data: { status: "dead", attempts, lastStatus: status, lastError: error },
        });
        this.deps.log.warn("partner webhook gave up", { delivery: d.id, attempts });
        report.dead++;
      } else {
        await this.deps.prisma.webhookDelivery.update({
          where: { id: d.id },
          data: {
            attempts,
            lastStatus: status,
            lastError: error,
            nextAttemptAt: new Date(now.getTime() + webhookBackoffMs(attempts)),
          },
        });
        report.failed++;
      }
    }
    return report;
  }

  async log(partnerId: string, limit = 20) {
    return this.deps.prisma.webhookDelivery.findMany({
      where: { partnerId },
      orderBy: { createdAt: "desc" },
      take: limit,
      select: {
        id: true,
        kind: true,
        status: true,
        attempts: true,
        lastStatus: true,
        lastError: true,
        createdAt: true,
        deliveredAt: true,
        nextAttemptAt: true,
      },
    });
  }

  async webhookUrl(partnerId: string): Promise<string | null> {
    return (
      (await this.deps.prisma.partner.findUnique({ where: { id: partnerId }, select: { webhookUrl: true } }))
        ?.webhookUrl ?? null
    );
  }
}
