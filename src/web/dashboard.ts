// The partner dashboard at /dashboard: log in with the partner token, then a signed session
// cookie (HttpOnly, SameSite=Strict, Secure over https). Priorities by area as a bar chart,
// the weekly trend of a theme as a line chart, the themes table with suppression shown
// honestly, redacted quotes with filters, and CSV downloads — all through src/insights.
import type { Clock } from "../clock.js";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { areaLabel } from "../directory/settings.js";
import { THEMES } from "../directory/themes.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { PartnerIdentity, PartnerStore } from "../insights/partners.js";
import { AGE_BANDS } from "../insights/population.js";
import {
  byDistrict,
  type CountSource,
  type InsightFilter,
  type InsightQueries,
  type ThemeRow,
} from "../insights/queries.js";
import { blockPeriod, blocksOf, parsePeriod, periodLabel, type Period } from "../insights/periods.js";
import { areaNamesOf, QUESTION_TEXT, TABLE_NAME, tableFilename, themeTableCsv } from "../insights/csv.js";
import { barChart, gapKey, lineChart } from "./charts.js";
import type { UpdateService } from "../updates/updates.js";
import { registerUpdatesView } from "./updates-view.js";
import type { PartnerFeed } from "../updates/partner-feed.js";
import { registerWebhookView } from "./webhook-view.js";
import { page } from "./layout.js";
import {
  afterSignIn,
  beginSession,
  endSession,
  safeNext,
  sessionReader,
  sign,
  signInAgain,
  signInPage,
  validCsrf,
} from "./session.js";

export interface DashboardDeps {
  readonly partners: PartnerStore;
  readonly queries: InsightQueries;
  readonly themeLabel: (id: string) => string;
  readonly threshold: number;
  readonly sessionSecret: string;
  readonly secureCookies: boolean;
  readonly organisationName: string;
  /** Sessions expire by this clock. */
  readonly now: Clock;
  /** "You said, we did" at /dashboard/updates. */
  readonly updates?: UpdateService;
  /** The partner's webhook at /dashboard/webhook. */
  readonly feed?: PartnerFeed;
  /** The names districts are known by (the directory's placevoice.yaml `areas:`), read per page. */
  readonly areaNames?: () => Promise<Readonly<Record<string, string>>>;
}

/** A trend point's axis label: the first day of its four weeks ("30 Dec"). */
const dayMonth = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
/** A quote's month ("Nov 2026"): the only time given with it. */
const monthYear = new Intl.DateTimeFormat("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });

export function registerDashboard(app: Hono, deps: DashboardDeps): void {
  if (deps.updates) registerUpdatesView(app, { ...deps, updates: deps.updates });
  if (deps.feed) registerWebhookView(app, { ...deps, feed: deps.feed });
  const fewer = `fewer than ${deps.threshold}`;
  // The app sets CSP and the other security headers on every response; pages with partner data are never cached.
  const noStore = (c: Context) => c.header("Cache-Control", "no-store");

  const session = sessionReader(deps);
  const namesOf = async (): Promise<Readonly<Record<string, string>>> => (deps.areaNames ? deps.areaNames() : {});

  app.post("/dashboard/login", async (c) => {
    // Login forms can be posted cross-site: only accept our own origin.
    const origin = c.req.header("Origin");
    if (origin && origin !== new URL(c.req.url).origin) return c.text("Cross-site sign-in refused", 403);
    const form = await c.req.parseBody();
    const token = typeof form.token === "string" ? form.token.trim() : "";
    const partner = token ? await deps.partners.authenticate(token) : null;
    if (!partner) {
      const draft = Object.fromEntries(
        Object.entries(form)
          .filter((e): e is [string, string] => e[0].startsWith("draft_") && typeof e[1] === "string")
          .map(([k, v]) => [k.slice(6), v]),
      );
      return signInPage(c, deps, {
        error: "That token is not valid.",
        ...(safeNext(form.next) ? { next: safeNext(form.next)! } : {}),
        draft,
      });
    }
    await deps.partners.audit(partner.id, "dashboard.login", {});
    await beginSession(c, deps, partner);
    return c.redirect(afterSignIn(form), 303);
  });

  app.post("/dashboard/logout", async (c) => {
    const current = await session(c);
    const form = await c.req.parseBody();
    if (current && !validCsrf(deps.sessionSecret, current, form.csrf)) return c.text("Invalid form", 403);
    if (current) await endSession(c, deps, current);
    return c.redirect("/dashboard", 303);
  });

  const filterFrom = async (
    c: Context,
    partner: PartnerIdentity,
  ): Promise<{
    filter: InsightFilter;
    values: Record<string, string>;
    period: Period;
    error?: string;
    forbidden?: string;
  }> => {
    const q = c.req.query();
    const values: Record<string, string> = {};
    let error: string | undefined;
    let forbidden: string | undefined;
    const area = (q.area ?? "").trim().toUpperCase();
    if (area) {
      if (!POSTCODE_DISTRICT.test(area)) error = "Area must be a postcode district such as ST6.";
      else if (partner.areas.length > 0 && !partner.areas.includes(area))
        forbidden = `${area} is not one of your areas (${partner.areas.join(", ")}).`;
      else values.area = area;
    }
    const today = deps.now();
    let requested = parsePeriod(q.period, today);
    if ("error" in requested) {
      error = requested.error.replace(/^period: /, "Period: ");
      requested = { kind: "all" };
    }
    const period = await deps.queries.resolvePeriod(requested, today);
    if (period.kind !== "all") values.period = period.id;
    if (q.channel === "sms" || q.channel === "telegram") values.channel = q.channel;
    if (q.age_band && /^[a-z0-9_]{2,32}$/.test(q.age_band)) values.age_band = q.age_band;
    if (q.theme && (THEMES as readonly string[]).includes(q.theme)) values.theme = q.theme;
    return {
      filter: {
        allowedAreas: partner.areas,
        ...(values.area ? { area: values.area } : {}),
        ...(period.kind === "all" ? {} : { period }),
        ...(values.channel ? { channel: values.channel } : {}),
        ...(values.age_band ? { ageBand: values.age_band } : {}),
      },
      values,
      period,
      ...(error ? { error } : {}),
      ...(forbidden ? { forbidden } : {}),
    };
  };

  // Who asked the questions: the organisation, and the tool when the organisation is named.
  const source =
    deps.organisationName === "PlaceVoice"
      ? "residents' answers to PlaceVoice"
      : `residents' answers to ${deps.organisationName}, through PlaceVoice`;

  /** An area outside the partner's: refused as the API refuses it, with the partner's areas named, and audited. */
  const refuseArea = async (c: Context, partnerId: string, message: string) => {
    await deps.partners.audit(partnerId, "denied: area outside partner's areas", {
      path: c.req.path,
      area: c.req.query("area") ?? "",
    });
    noStore(c);
    return c.html(
      page(
        "Not your area",
        html`<main id="main" tabindex="-1"><h1>Not your area</h1><p class="error" role="alert">${message}</p><p><a href="/dashboard">Back to your insight</a></p></main>`,
      ),
      403,
    );
  };

  /** A theme table as CSV, every row carrying its area (code and name), period, question, respondents and note. */
  const downloadTable = (source: CountSource) => async (c: Context) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    const { filter, period, forbidden } = await filterFrom(c, current.partner);
    if (forbidden) return refuseArea(c, current.partner.id, forbidden);
    await deps.partners.audit(current.partner.id, "dashboard.csv", { ...filter, period: period.id, source });
    const [table, names] = await Promise.all([deps.queries.table(filter, source), namesOf()]);
    const codes = filter.area ? [filter.area] : filter.allowedAreas;
    const area = codes.length > 0 ? codes.join(" ") : "all areas";
    const name = TABLE_NAME[source];
    c.header("Content-Disposition", `attachment; filename="${tableFilename(name, area, period)}"`);
    const context = {
      area,
      areaName: areaNamesOf(codes, names),
      period,
      question: QUESTION_TEXT[source],
      respondents: table.respondents.count,
      generatedAt: deps.now(),
    };
    return c.body(themeTableCsv(table.rows, deps.themeLabel, deps.threshold, context), 200, {
      "Content-Type": "text/csv; charset=utf-8",
    });
  };
  app.get("/dashboard/priorities.csv", downloadTable("choice"));
  app.get("/dashboard/themes.csv", downloadTable("text"));
  app.get("/dashboard/offers.csv", downloadTable("offer"));

  const option = (value: string, label: string, selected: string | undefined) =>
    html`<option value="${value}" ${selected === value ? "selected" : ""}>${label}</option>`;

  /** The filters every insight page shares; `withArea` adds the district picker. */
  const filterForm = async (
    action: string,
    partner: PartnerIdentity,
    values: Record<string, string>,
    period: Period,
    theme: string,
    names: Readonly<Record<string, string>>,
    withArea: boolean,
  ) => {
    // Every block since anyone first answered, newest first (all time is resolved once per page).
    const today = deps.now();
    const allTime = period.kind === "all" ? period : await deps.queries.resolvePeriod({ kind: "all" }, today);
    const blockOptions = blocksOf(allTime, today)
      .reverse()
      .map((index) => {
        const block = blockPeriod(index, today);
        return option(block.id, periodLabel(block), values.period);
      });
    // A partner's own areas; for a partner with every area, the districts anyone has answered in
    // (and the one asked for, if it is not among them, so the picker shows what is shown).
    let picker: HtmlEscapedString | Promise<HtmlEscapedString> | "" = "";
    if (withArea) {
      const districts =
        partner.areas.length > 0 ? [...partner.areas].sort(byDistrict) : await deps.queries.areasWithAnswers([]);
      if (values.area && !districts.includes(values.area)) districts.push(values.area);
      picker = html`<label for="area">Area <select id="area" name="area">${option("", partner.areas.length > 0 ? "All my areas" : "All areas", values.area)}${districts.map((a) => option(a, areaLabel(a, names), values.area))}</select></label>`;
    }
    return html`<form class="filters" method="get" action="${action}" aria-label="Filters">
  ${picker}
  <label for="period">Period <select id="period" name="period">${option("", "All time", values.period)}${option("year", "Last 52 weeks", values.period)}${blockOptions}</select></label>
  <label for="channel">Channel <select id="channel" name="channel">${option("", "Both", values.channel)}${option("sms", "SMS", values.channel)}${option("telegram", "Telegram", values.channel)}</select></label>
  <label for="age_band">Age <select id="age_band" name="age_band">${option("", "All ages", values.age_band)}${AGE_BANDS.map(([id, label]) => option(id, label, values.age_band))}</select></label>
  <label for="theme">${withArea ? "Theme for trend and quotes" : "Theme"} <select id="theme" name="theme">${THEMES.map((t) => option(t, deps.themeLabel(t), theme))}</select></label>
  <button type="submit">Show</button>
</form>`;
  };

  const periodNote = (period: Period) =>
    html`<p data-testid="period">Answers from ${periodLabel(period)}${period.kind === "all" ? " (all time)" : period.kind === "year" ? " (the last 52 weeks)" : ""}.</p>`;

  const header = (partner: PartnerIdentity, raw: string) =>
    html`<header><h1>Insight for ${partner.name}</h1>
<nav><a href="/dashboard">Insight</a> · <a href="/dashboard/compare">Compare areas</a> · <a href="/dashboard/reach">Reach</a> · <a href="/dashboard/updates">You said, we did</a> · <a href="/dashboard/webhook">Webhook</a>${partner.role === "operator" ? html` · <a href="/dashboard/admin">Admin</a>` : ""}</nav>
<form method="post" action="/dashboard/logout"><input type="hidden" name="csrf" value="${sign(deps.sessionSecret, raw)}"><button type="submit">Sign out</button></form></header>`;

  /** A theme table's rows, most residents first, withheld ones last. */
  const themeRows = (rows: readonly ThemeRow[]) =>
    rows.map(
      (r) =>
        html`<tr><th scope="row">${deps.themeLabel(r.theme)}</th><td class="num ${r.count === null ? "suppressed" : ""}">${r.count === null ? fewer : r.count.toLocaleString("en-GB")}</td><td class="num">${r.share === null ? "–" : `${r.share}%`}</td></tr>`,
    );
  const sorted = (rows: readonly ThemeRow[]) => [...rows].sort((a, b) => (b.count ?? -1) - (a.count ?? -1));

  app.get("/dashboard", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    noStore(c);
    const { partner } = current;
    const { filter, values, period, error, forbidden } = await filterFrom(c, partner);
    if (forbidden) return refuseArea(c, partner.id, forbidden);
    await deps.partners.audit(partner.id, "dashboard.view", values);
    const [table, written, offered, names] = await Promise.all([
      deps.queries.themeTable(filter, "choice", THEMES),
      deps.queries.themeTable(filter, "text", THEMES),
      deps.queries.offerTable(filter),
      namesOf(),
    ]);
    const rows = sorted(table.rows);
    const writtenRows = sorted(written.rows);
    const theme = values.theme ?? rows.find((r) => r.count !== null)?.theme ?? "housing";
    const [trend, quotes] = await Promise.all([
      deps.queries.trend({ ...filter, period }, "choice", theme, deps.now()),
      deps.queries.quotes(filter, theme, 10),
    ]);
    const query = new URLSearchParams(values).toString();
    const { area: _area, ...compareValues }: Record<string, string> = { ...values, theme };
    const place = values.area ? areaLabel(values.area, names) : "";
    const inPlace = place ? ` in ${place}` : "";
    return c.html(
      page(
        "Insight",
        html`${header(partner, current.raw)}
<main id="main" tabindex="-1">
${await filterForm("/dashboard", partner, values, period, theme, names, true)}
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<section aria-labelledby="priorities-heading">
<h2 id="priorities-heading">Priorities${inPlace}</h2>
${periodNote(period)}
${
  table.noResponses
    ? html`<p class="note" role="status" data-testid="empty-state">No responses yet${inPlace} for these filters.</p>`
    : table.respondents.count === null
      ? html`<p class="note" role="status" data-testid="empty-state">The figures${place ? ` for ${place}` : ""} with these filters are withheld to protect residents: fewer than ${deps.threshold} answered, or showing them would let a small group be worked out.</p>`
      : html`<p>Residents who answered: <strong data-testid="respondents">${table.respondents.count.toLocaleString("en-GB")}</strong></p>
<figure data-testid="priorities-figure"><figcaption><strong>Residents per priority${inPlace}</strong>, ${periodLabel(period)}, of ${table.respondents.count!.toLocaleString("en-GB")} residents who answered. Number of residents; each could choose up to three. Source: ${source}.</figcaption>
${barChart(
  `Residents per priority${inPlace}`,
  rows.map((r) => ({ label: deps.themeLabel(r.theme), value: r.count })),
  deps.threshold,
)}</figure>
<div class="side-by-side">
<div><table data-testid="themes-table"><caption><strong>Chosen as a priority</strong> <span class="note">Residents who picked each from the list. Each could pick up to three, so the numbers do not add up to the total.</span></caption>
<thead><tr><th scope="col">Priority</th><th scope="col" class="num">Residents</th><th scope="col" class="num">Share</th></tr></thead>
<tbody>${themeRows(rows)}</tbody></table>
<p><a href="/dashboard/priorities.csv${query ? `?${query}` : ""}" download>Download these figures (CSV)</a></p></div>
<div><table data-testid="written-themes-table"><caption><strong>Raised in their own words</strong> <span class="note">Residents whose written answer touched on each theme, found automatically in what they wrote, of the same ${table.respondents.count!.toLocaleString("en-GB")} residents. Not everyone wrote something, and one answer can touch several themes.</span></caption>
<thead><tr><th scope="col">Theme</th><th scope="col" class="num">Residents</th><th scope="col" class="num">Share</th></tr></thead>
<tbody>${themeRows(writtenRows)}</tbody></table>
<p><a href="/dashboard/themes.csv${query ? `?${query}` : ""}" download>Download the themes in their own words (CSV)</a></p></div>
</div>`
}
<p><a href="/dashboard/compare?${new URLSearchParams(compareValues).toString()}">Compare areas for ${deps.themeLabel(theme).toLowerCase()}</a></p>
</section>
<section aria-labelledby="offers-heading">
<h2 id="offers-heading">What people could give${inPlace}</h2>
<p class="note">What residents said they could offer their area, next to what they say is needed: each resident once (their latest offer), each could pick up to three. The same protection applies.</p>
${
  offered.noResponses
    ? html`<p class="note" role="status" data-testid="offers-empty">No one has offered anything yet${inPlace} for these filters.</p>`
    : offered.respondents.count === null
      ? html`<p class="note" role="status" data-testid="offers-empty">The offers${place ? ` for ${place}` : ""} with these filters are withheld to protect residents: fewer than ${deps.threshold} offered, or showing them would let a small group be worked out.</p>`
      : html`<table data-testid="offers-table"><caption><strong>Could offer</strong> <span class="note">Residents who offered each, of the <span data-testid="offerers">${offered.respondents.count.toLocaleString("en-GB")}</span> residents who said what they could offer, ${periodLabel(period)}.</span></caption>
<thead><tr><th scope="col">Could offer</th><th scope="col" class="num">Residents</th><th scope="col" class="num">Share</th></tr></thead>
<tbody>${themeRows(sorted(offered.rows))}</tbody></table>
<p><a href="/dashboard/offers.csv${query ? `?${query}` : ""}" download>Download what people could give (CSV)</a></p>`
}
</section>
<section aria-labelledby="trend-heading">
<h2 id="trend-heading">${deps.themeLabel(theme)} over time</h2>
<figure data-testid="trend-figure"><figcaption><strong>Residents choosing ${deps.themeLabel(theme)}, per four weeks</strong>${inPlace}, ${periodLabel(period)}. ${
          table.respondents.count === null
            ? "Base: the residents who answered (too few to give their number)"
            : `Base: the ${table.respondents.count.toLocaleString("en-GB")} residents who answered`
        }; each point is how many of them chose ${deps.themeLabel(theme).toLowerCase()} in those four weeks, marked with their first day. Number of residents. Source: ${source}.</figcaption>
${
  trend.every((p) => p.count === null)
    ? html`<p class="note" data-testid="trend-empty">No four weeks in this period have ${deps.threshold} or more residents choosing ${deps.themeLabel(theme).toLowerCase()}, so there is no line to draw; the table shows each.</p>`
    : html`${lineChart(
        `Residents per four weeks choosing ${deps.themeLabel(theme)}`,
        trend.map((p) => ({
          label: periodLabel(p.period),
          tick: dayMonth.format(new Date(`${p.period.from}T00:00:00Z`)),
          year: p.period.from.slice(0, 4),
          value: p.count,
        })),
        deps.threshold,
      )}${trend.some((p) => p.count === null) ? gapKey(deps.threshold) : ""}`
}</figure>
<table data-testid="trend-table"><thead><tr><th scope="col">Four weeks</th><th scope="col" class="num">Residents</th></tr></thead><tbody>${trend.map((p) => html`<tr><th scope="row">${periodLabel(p.period)}</th><td class="num ${p.count === null ? "suppressed" : ""}">${p.count === null ? fewer : p.count}</td></tr>`)}</tbody></table>
</section>
<section aria-labelledby="quotes-heading">
<h2 id="quotes-heading">What residents said about ${deps.themeLabel(theme).toLowerCase()}</h2>
<p class="note">In their own words, with names, numbers and addresses removed; each once, however many wrote it. They follow every filter above.</p>
${
  quotes.length === 0
    ? html`<p class="note" data-testid="no-quotes">No quotes to show: quotes appear only from areas where at least ${deps.threshold} residents, with these filters, have written about this theme.</p>`
    : quotes.map(
        (q) =>
          html`<blockquote data-testid="quote">${q.text}<footer class="note">${q.area ? areaLabel(q.area, names) : ""}, ${monthYear.format(new Date(`${q.month}-01T00:00:00Z`))}</footer></blockquote>`,
      )
}
</section>
<p class="note" data-testid="disclosure-note">To protect residents, numbers under ${deps.threshold} are withheld (they read “${fewer}”) and the others are slightly adjusted, so that no small group can be worked out from them. Quotes have names, numbers and addresses removed.</p>
</main>`,
      ),
    );
  });

  app.get("/dashboard/compare", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    noStore(c);
    const { partner } = current;
    const { filter: withArea, values: asked, period, error } = await filterFrom(c, partner);
    // Every area is compared: an area in the address is not a filter here.
    const { area: _a, ...filter } = withArea;
    const { area: _b, ...values } = asked;
    await deps.partners.audit(partner.id, "dashboard.compare", values);
    const theme = values.theme ?? "housing";
    const label = deps.themeLabel(theme);
    const [areas, names] = await Promise.all([
      partner.areas.length > 0 ? [...partner.areas].sort(byDistrict) : deps.queries.areasWithAnswers([]),
      namesOf(),
    ]);
    const [rows, all] = await Promise.all([
      deps.queries.compareAreas(filter, "choice", theme, areas),
      deps.queries.themeTable(filter, "choice", [theme]),
    ]);
    // Highest share first; areas without a figure after them, in code order.
    const ordered = [...rows].sort((a, b) => (b.share ?? -1) - (a.share ?? -1) || byDistrict(a.area, b.area));
    const cells = (respondents: number | null, noResponses: boolean, count: number | null, share: number | null) =>
      noResponses
        ? html`<td class="num" data-label="Residents who answered">none yet</td><td class="num" data-label="Chose ${label.toLowerCase()}">–</td><td class="num" data-label="Share">–</td>`
        : html`<td class="num ${respondents === null ? "suppressed" : ""}" data-label="Residents who answered">${respondents === null ? fewer : respondents.toLocaleString("en-GB")}</td><td class="num ${count === null ? "suppressed" : ""}" data-label="Chose ${label.toLowerCase()}">${count === null ? fewer : count.toLocaleString("en-GB")}</td><td class="num" data-label="Share">${share === null ? "–" : `${share}%`}</td>`;
    const allRow = all.rows[0]!;
    return c.html(
      page(
        "Compare areas",
        html`${header(partner, current.raw)}
<main id="main" tabindex="-1">
<h2>Compare areas: ${label}</h2>
${await filterForm("/dashboard/compare", partner, values, period, theme, names, false)}
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
${periodNote(period)}
${
  areas.length === 0
    ? html`<p class="note" role="status" data-testid="empty-state">No responses yet in any area.</p>`
    : html`<table class="records" data-testid="compare-table"><caption><strong>Residents choosing ${label.toLowerCase()} in each area</strong>, ${periodLabel(period)}. The share is of the residents who answered in that area; each could choose up to three priorities. Number of residents. Source: ${source}.</caption>
<thead><tr><th scope="col">Area</th><th scope="col" class="num">Residents who answered</th><th scope="col" class="num">Chose ${label.toLowerCase()}</th><th scope="col" class="num">Share</th></tr></thead>
<tbody>${ordered.map((r) => html`<tr><th scope="row"><a href="/dashboard?${new URLSearchParams({ ...values, area: r.area }).toString()}">${areaLabel(r.area, names)}</a></th>${cells(r.respondents.count, r.noResponses, r.count, r.share)}</tr>`)}</tbody>
<tfoot><tr><th scope="row">${partner.areas.length > 0 ? "All my areas" : "All areas"}</th>${cells(all.respondents.count, all.noResponses, allRow.count, allRow.share)}</tr></tfoot></table>`
}
<p class="note" data-testid="disclosure-note">Each area's numbers are the ones its own page shows. To protect residents, numbers under ${deps.threshold} are withheld (they read “${fewer}”) and the others are slightly adjusted, so that no small group can be worked out from them, including by comparing an area with the rest. There is no map: drawing one would need district boundaries or map tiles from outside, and this service fetches nothing from outside.</p>
</main>`,
      ),
    );
  });
}
