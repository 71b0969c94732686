// Everything a partner, a champion or the public can read about residents, read at once: every
// insight API route (JSON and CSV), the partner feed, every dashboard page and download, the
// operator's pages that show counts of residents (champions' reach, a broadcast's audience, the
// answers waiting for a themes review), a champion's page, the public results, and the tables
// under them (contacts, answers, facts, running totals, outbox). Two readings that are equal
// mean nothing in between reached any of it. Instants (which move with the clock) are masked.
import type { Hono } from "hono";
import type { PrismaClient } from "../../src/generated/prisma/client.js";
import { PUBLIC_URL } from "./channel-harness.js";
import type { DashboardClient } from "./dashboard-client.js";

export interface Readers {
  readonly app: Hono;
  readonly prisma: PrismaClient;
  /** A partner's API token, and the same partner signed in to the dashboard. */
  readonly partnerToken: string;
  readonly partner: DashboardClient;
  /** An operator signed in to the dashboard. */
  readonly operator: DashboardClient;
  /** A champion's private page (path and key). */
  readonly championPage: string;
}

export const API_ROUTES = [
  "/api/v1/insights/priorities",
  "/api/v1/insights/priorities?area=ST6&period=year",
  "/api/v1/insights/priorities?format=csv",
  "/api/v1/insights/themes",
  "/api/v1/insights/themes?format=csv",
  "/api/v1/insights/offers",
  "/api/v1/insights/trend?theme=housing",
  "/api/v1/insights/trend?theme=housing&area=ST6&format=csv",
  "/api/v1/insights/reach",
  "/api/v1/insights/reach?format=csv",
  "/api/v1/insights/quotes?theme=transport",
  "/api/v1/insights/quotes?theme=housing&format=csv",
  "/api/v1/feed",
];

export const PARTNER_PAGES = [
  "/dashboard",
  "/dashboard?area=ST6&theme=housing",
  "/dashboard?area=ST6&period=year&age_band=age_25_34",
  "/dashboard/compare?theme=housing",
  "/dashboard/reach",
  "/dashboard/priorities.csv",
  "/dashboard/themes.csv",
  "/dashboard/offers.csv",
  "/dashboard/reach.csv",
  "/dashboard/updates",
];

export const OPERATOR_PAGES = [
  "/dashboard/champions",
  "/dashboard/admin/broadcasts?flow=feedback&areas=ST6",
  "/dashboard/themes-review",
];

export const PUBLIC_PAGES = ["/results", "/results/ST6", "/results/ST6?lang=cy", "/you-said-we-did"];

const INSTANT = /\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z?/g;
/** "Figures as of 3 December 2026 at 21:41": the time a page was drawn, which moves with the clock. */
const AS_OF = /(data-testid="as-of">)[^<]*/g;
/** The broadcast page offers a fresh broadcast id each time it is drawn. */
const FRESH_BROADCAST_ID = /name="id" value="b-[0-9a-f-]+"/g;

/** A response body with the instants that move with the clock (and fresh broadcast ids) masked. */
export const masked = (body: string) =>
  body.replace(INSTANT, "<instant>").replace(AS_OF, "$1<as of>").replace(FRESH_BROADCAST_ID, "<broadcast id>");

export async function readInsightSurfaces(r: Readers): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const keep = (name: string, status: number, body: string) => {
    out[name] = `${status} ${masked(body)}`;
  };
  for (const route of API_ROUTES) {
    const response = await r.app.request(`${PUBLIC_URL}${route}`, {
      headers: { Authorization: `Bearer ${r.partnerToken}` },
    });
    keep(route, response.status, await response.text());
  }
  for (const path of PARTNER_PAGES) {
    const { status, html } = await r.partner.page(path);
    keep(`partner ${path}`, status, html);
  }
  for (const path of OPERATOR_PAGES) {
    const { status, html } = await r.operator.page(path);
    keep(`operator ${path}`, status, html);
  }
  for (const path of [...PUBLIC_PAGES, r.championPage]) {
    const response = await r.app.request(`${PUBLIC_URL}${path}`);
    keep(`public ${path}`, response.status, await response.text());
  }
  const p = r.prisma;
  const tables = {
    contacts: await p.contact.findMany({ orderBy: { id: "asc" } }),
    sessions: await p.session.count(),
    answers: await p.answer.findMany({ orderBy: { id: "asc" } }),
    inbound: await p.inboundMessage.count(),
    outbox: await p.outboxMessage.count(),
    completions: await p.flowCompletion.count(),
    touches: await p.referralTouch.count(),
    facts: await p.themeFact.findMany({ orderBy: { id: "asc" } }),
    themeCounts: await p.themeCount.findMany(),
    respondentCounts: await p.respondentCount.findMany(),
    championCounts: await p.championCount.findMany(),
    reviews: await p.themeReview.count(),
    deliveries: await p.updateDelivery.count(),
  };
  for (const [name, rows] of Object.entries(tables)) keep(`table ${name}`, 200, JSON.stringify(rows));
  return out;
}

/** The names of the surfaces that differ between two readings. */
export function changedSurfaces(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys({ ...before, ...after }).filter((name) => before[name] !== after[name]);
}
