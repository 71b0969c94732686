// /dashboard/reach: who has been heard and who has not, against the population baseline the
// operator imported. Same sign-in as the dashboard. Per area: residents heard per 1,000; the age
// mix of respondents beside the population's; the areas and age groups heard least; residents
// who came through champions' codes; priorities re-weighted to the area's age profile where every
// weighting cell clears the threshold. Every count is a published one (src/insights/reach.ts).
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { Clock } from "../clock.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { Cell } from "../insights/disclosure.js";
import type { PartnerIdentity, PartnerStore } from "../insights/partners.js";
import { parsePeriod, periodLabel, type Period } from "../insights/periods.js";
import type { InsightFilter, InsightQueries } from "../insights/queries.js";
import {
  reachCsv,
  WEIGHTING_CAVEAT,
  weightedCsv,
  type AreaReach,
  type HeardLeast,
  type ReachQueries,
} from "../insights/reach.js";
import { page } from "./layout.js";
import { sessionReader, sign, signInAgain } from "./session.js";

export interface ReachViewDeps {
  readonly partners: PartnerStore;
  readonly queries: InsightQueries;
  readonly reach: ReachQueries;
  readonly themeLabel: (id: string) => string;
  readonly threshold: number;
  readonly sessionSecret: string;
  readonly secureCookies?: boolean;
  readonly organisationName: string;
  readonly now: Clock;
  /** The flow a broadcast to an under-heard area starts (the entry flow). */
  readonly entryFlowId: string;
}

const number = (n: number) => n.toLocaleString("en-GB");

/** The area and period a reach request asks for, checked against the partner's areas. */
export async function reachFilter(
  query: Record<string, string>,
  partner: PartnerIdentity,
  queries: InsightQueries,
  today: Date,
): Promise<{ filter: InsightFilter; period: Period } | { error: string; status: 400 | 403 }> {
  const area = (query.area ?? "").trim().toUpperCase();
  if (area && !POSTCODE_DISTRICT.test(area))
    return { error: "area: must be a postcode district such as ST6", status: 400 };
  if (area && partner.areas.length > 0 && !partner.areas.includes(area))
    return { error: `${area} is not one of your areas (${partner.areas.join(", ")})`, status: 403 };
  const requested = parsePeriod(query.period, today);
  if ("error" in requested) return { error: requested.error, status: 400 };
  const period = await queries.resolvePeriod(requested, today);
  return { filter: { allowedAreas: partner.areas, ...(area ? { area } : {}) }, period };
}

export function registerReachView(app: Hono, deps: ReachViewDeps): void {
  const session = sessionReader(deps);
  const fewer = `fewer than ${deps.threshold}`;
  const cell = (c: Cell) =>
    c.count === null ? html`<span class="suppressed">${fewer}</span>` : html`${number(c.count)}`;
  const rate = (r: number | null) => (r === null ? "–" : r.toLocaleString("en-GB", { minimumFractionDigits: 1 }));
  const pct = (p: number | null) => (p === null ? "–" : `${p}%`);

  const load = async (c: Context) => {
    const current = await session(c);
    if (!current) return { response: await signInAgain(c, deps) };
    c.header("Cache-Control", "no-store");
    const parsed = await reachFilter(c.req.query(), current.partner, deps.queries, deps.now());
    if ("error" in parsed) {
      if (parsed.status === 403)
        await deps.partners.audit(current.partner.id, "denied: area outside partner's areas", {
          path: c.req.path,
          area: c.req.query("area") ?? "",
        });
      return {
        response: c.html(
          page(
            "Reach",
            html`<main id="main" tabindex="-1"><h1>Reach</h1><p class="error" role="alert">${parsed.error}</p><p><a href="/dashboard/reach">Back to reach</a></p></main>`,
          ),
          parsed.status,
        ),
      };
    }
    await deps.partners.audit(current.partner.id, `reach.${c.req.path.endsWith(".csv") ? "csv" : "view"}`, {
      ...parsed.filter,
      period: parsed.period.id,
    });
    return { current, ...parsed, report: await deps.reach.report(parsed.filter, parsed.period) };
  };

  app.get("/dashboard/reach.csv", async (c) => {
    const loaded = await load(c);
    if ("response" in loaded) return loaded.response;
    const weighted = c.req.query("table") === "weighted";
    c.header(
      "Content-Disposition",
      `attachment; filename="placevoice-${weighted ? "weighted-priorities" : "reach"}-${loaded.period.from}-to-${loaded.period.to}.csv"`,
    );
    return c.body(weighted ? weightedCsv(loaded.report, deps.themeLabel) : reachCsv(loaded.report), 200, {
      "Content-Type": "text/csv; charset=utf-8",
    });
  });

  const leastList = (items: readonly HeardLeast[], testId: string) =>
    items.length === 0
      ? html`<p class="note">No area here has a population baseline yet.</p>`
      : html`<ol data-testid="${testId}">${items.map((i) => html`<li>${i.label}: ${i.per1000 === null ? html`${cell(i.heard)} residents heard` : html`${rate(i.per1000)} per 1,000 (${cell(i.heard)} residents)`}</li>`)}</ol>`;

  const areaSection = (a: AreaReach, operator: boolean, period: Period) => {
    const updateLink = `/dashboard/updates?${new URLSearchParams({ draft_areas: a.area }).toString()}`;
    const w = a.weighted;
    return html`<section aria-labelledby="area-${a.area}" data-area="${a.area}">
<h2 id="area-${a.area}">${a.area}</h2>
<p>${
      a.baseline
        ? html`Population ${number(a.baseline.population)} (${a.baseline.source}, ${a.baseline.year}). Residents heard: <strong data-testid="heard-${a.area}">${cell(a.heard)}</strong>, <strong data-testid="per1000-${a.area}">${rate(a.per1000)}</strong> per 1,000 residents.`
        : html`No population baseline for ${a.area}, so no rate: residents heard <strong data-testid="heard-${a.area}">${cell(a.heard)}</strong>. An operator can add one with <code>placevoice population import</code>.`
    } Through champions' codes: <span data-testid="champions-${a.area}">${cell(a.throughChampions)}</span>.</p>
<table class="records" data-testid="age-mix-${a.area}"><caption>Age mix of residents heard in ${a.area} beside its population, ${periodLabel(period)}</caption>
<thead><tr><th scope="col">Age group</th><th scope="col" class="num">Residents heard</th><th scope="col" class="num">Share of those who gave their age</th><th scope="col" class="num">Population</th><th scope="col" class="num">Share of population</th><th scope="col" class="num">Heard per 1,000</th></tr></thead>
<tbody>${a.bands.map(
      (b) =>
        html`<tr data-band="${b.band}"><th scope="row">${b.label}</th><td class="num" data-label="Residents heard">${cell(b.heard)}</td><td class="num" data-label="Share of those who gave their age">${pct(b.respondentShare)}</td><td class="num" data-label="Population">${b.population === null ? "–" : number(b.population)}</td><td class="num" data-label="Share of population">${pct(b.populationShare)}</td><td class="num" data-label="Heard per 1,000">${rate(b.per1000)}</td></tr>`,
    )}</tbody></table>
${
  w.shown
    ? html`<table class="records" data-testid="weighted-${a.area}"><caption>Priorities in ${a.area}, ${periodLabel(period)}: share of residents who answered, and re-weighted to the area's age profile (base: ${number(w.base!)} residents who gave their age; effective sample size <span data-testid="ess-${a.area}">${number(w.effectiveSampleSize!)}</span>)</caption>
<thead><tr><th scope="col">Priority</th><th scope="col" class="num">Share (unweighted)</th><th scope="col" class="num">Weighted by age</th></tr></thead>
<tbody>${w.rows.map((r) => html`<tr data-theme="${r.theme}"><th scope="row">${deps.themeLabel(r.theme)}</th><td class="num" data-label="Share (unweighted)">${pct(r.share)}</td><td class="num" data-label="Weighted by age">${pct(r.weightedShare)}</td></tr>`)}</tbody></table>
<p class="note">${WEIGHTING_CAVEAT} A dash means a count the weighting needs is withheld.</p>`
    : html`<p class="note" data-testid="weighted-${a.area}">Weighted priorities: ${w.reason}</p>`
}
<p>Reach more residents here: <a href="${updateLink}">tell ${a.area} what changed (you said, we did)</a>${
      operator
        ? html`; a poster code for a champion: <code>placevoice champion campaign --code CHAMPION_CODE --name "Reach ${a.area}"</code>; invite residents who opted in: <code>placevoice broadcast --flow ${deps.entryFlowId} --area ${a.area}</code>`
        : ""
    }.</p>
</section>`;
  };

  app.get("/dashboard/reach", async (c) => {
    const loaded = await load(c);
    if ("response" in loaded) return loaded.response;
    const { current, report, period, filter } = loaded;
    const { partner } = current;
    const query = new URLSearchParams({
      ...(filter.area ? { area: filter.area } : {}),
      ...(period.kind === "all" ? {} : { period: period.id }),
    }).toString();
    const csv = (table?: string) =>
      `/dashboard/reach.csv?${new URLSearchParams([...new URLSearchParams(query), ...(table ? [["table", table]] : [])]).toString()}`;
    return c.html(
      page(
        "Reach",
        html`<header><h1>Reach for ${partner.name}</h1>
<nav><a href="/dashboard">Insight</a> · <a href="/dashboard/updates">You said, we did</a></nav>
<form method="post" action="/dashboard/logout"><input type="hidden" name="csrf" value="${sign(deps.sessionSecret, current.raw)}"><button type="submit">Sign out</button></form></header>
<main id="main" tabindex="-1">
<form class="filters" method="get" action="/dashboard/reach" aria-label="Filters">
  <label for="area">Area ${
    partner.areas.length > 0
      ? html`<select id="area" name="area"><option value="">All my areas</option>${partner.areas.map((a) => html`<option value="${a}" ${filter.area === a ? "selected" : ""}>${a}</option>`)}</select>`
      : html`<input id="area" name="area" value="${filter.area ?? ""}" placeholder="e.g. ST6" size="6">`
  }</label>
  <label for="period">Period <select id="period" name="period"><option value="">All time</option><option value="year" ${period.kind === "year" ? "selected" : ""}>Last 52 weeks</option>${period.kind === "block" ? html`<option value="${period.id}" selected>${periodLabel(period)}</option>` : ""}</select></label>
  <button type="submit">Show</button>
</form>
<p data-testid="period">Residents who answered the priorities question, ${periodLabel(period)}${period.kind === "all" ? " (all time)" : ""}, against the population baseline the operator imported.</p>
<section aria-labelledby="least-heading">
<h2 id="least-heading">Heard least</h2>
<h3>Areas</h3>
${leastList(report.areasHeardLeast, "areas-heard-least")}
<h3>Age groups</h3>
${leastList(report.groupsHeardLeast, "groups-heard-least")}
</section>
${report.areas.length === 0 ? html`<p class="note">No areas yet: no population baseline and no answers.</p>` : report.areas.map((a) => areaSection(a, partner.role === "operator", period))}
<p><a href="${csv()}" download>Download reach (CSV)</a> · <a href="${csv("weighted")}" download>Download weighted priorities (CSV)</a></p>
<p class="note" data-testid="disclosure-note">To protect residents, numbers under ${deps.threshold} are withheld (they read “${fewer}”) and the others are slightly adjusted. Rates, age shares and weights are worked out from those published numbers and the population baseline, never from the raw ones.</p>
</main>`,
      ),
    );
  });
}
