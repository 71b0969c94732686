// The partner dashboard at /dashboard: log in with the partner token, then a signed session
// cookie (HttpOnly, SameSite=Strict, Secure over https). Priorities by area as a bar chart,
// the weekly trend of a theme as a line chart, the themes table with suppression shown
// honestly, redacted quotes with filters, and CSV downloads — all through src/insights.
import type { Clock } from "../clock.js";
import type { Context, Hono } from "hono";
import { html } from "hono/html";
import { THEMES } from "../directory/themes.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import type { PartnerIdentity, PartnerStore } from "../insights/partners.js";
import type { InsightFilter, InsightQueries } from "../insights/queries.js";
import { blockPeriod, blocksOf, parsePeriod, periodLabel, type Period } from "../insights/periods.js";
import { QUESTION_TEXT, tableFilename, themeTableCsv } from "../insights/csv.js";
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
}

/** A trend point's axis label: the first day of its four weeks ("30 Dec"). */
const dayMonth = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/** The age bands the shipped priorities flow asks about, as the filter offers them. */
const AGE_BANDS: readonly (readonly [string, string])[] = [
  ["under_18", "Under 18"],
  ["age_18_24", "18 to 24"],
  ["age_25_34", "25 to 34"],
  ["age_35_49", "35 to 49"],
  ["age_50_64", "50 to 64"],
  ["age_65_plus", "65 or over"],
];

export function registerDashboard(app: Hono, deps: DashboardDeps): void {
  if (deps.updates) registerUpdatesView(app, { ...deps, updates: deps.updates });
  if (deps.feed) registerWebhookView(app, { ...deps, feed: deps.feed });
  const fewer = `fewer than ${deps.threshold}`;
  // The app sets CSP and the other security headers on every response; pages with partner data are never cached.
  const noStore = (c: Context) => c.header("Cache-Control", "no-store");

  const session = sessionReader(deps);

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

  app.get("/dashboard/priorities.csv", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    const { filter, period, forbidden } = await filterFrom(c, current.partner);
    if (forbidden) return refuseArea(c, current.partner.id, forbidden);
    await deps.partners.audit(current.partner.id, "dashboard.csv", { ...filter, period: period.id });
    const table = await deps.queries.themeTable(filter, "choice", THEMES);
    const area = filter.area ?? (filter.allowedAreas.length > 0 ? filter.allowedAreas.join(" ") : "all areas");
    c.header("Content-Disposition", `attachment; filename="${tableFilename("priorities", area, period)}"`);
    const context = {
      area,
      period,
      question: QUESTION_TEXT.choice,
      respondents: table.respondents.count,
      generatedAt: deps.now(),
    };
    return c.body(themeTableCsv(table.rows, deps.themeLabel, deps.threshold, context), 200, {
      "Content-Type": "text/csv; charset=utf-8",
    });
  });

  app.get("/dashboard", async (c) => {
    const current = await session(c);
    if (!current) return signInAgain(c, deps);
    noStore(c);
    const { partner } = current;
    const { filter, values, period, error, forbidden } = await filterFrom(c, partner);
    if (forbidden) return refuseArea(c, partner.id, forbidden);
    await deps.partners.audit(partner.id, "dashboard.view", values);
    const table = await deps.queries.themeTable(filter, "choice", THEMES);
    const rows = [...table.rows].sort((a, b) => (b.count ?? -1) - (a.count ?? -1));
    const theme = values.theme ?? rows.find((r) => r.count !== null)?.theme ?? "housing";
    const [trend, quotes] = await Promise.all([
      deps.queries.trend({ ...filter, period }, "choice", theme, deps.now()),
      deps.queries.quotes(filter, theme, 10),
    ]);
    const query = new URLSearchParams(values).toString();
    const option = (value: string, label: string, selected: string | undefined) =>
      html`<option value="${value}" ${selected === value ? "selected" : ""}>${label}</option>`;
    // Every block since anyone first answered, newest first (all time is resolved once per page).
    const today = deps.now();
    const allTime = period.kind === "all" ? period : await deps.queries.resolvePeriod({ kind: "all" }, today);
    const blockOptions = blocksOf(allTime, today)
      .reverse()
      .map((index) => {
        const block = blockPeriod(index, today);
        return option(block.id, periodLabel(block), values.period);
      });
    return c.html(
      page(
        "Insight",
        html`<header><h1>Insight for ${partner.name}</h1>
<nav><a href="/dashboard/updates">You said, we did</a> · <a href="/dashboard/webhook">Webhook</a>${partner.role === "operator" ? html` · <a href="/dashboard/admin">Admin</a>` : ""}</nav>
<form method="post" action="/dashboard/logout"><input type="hidden" name="csrf" value="${sign(deps.sessionSecret, current.raw)}"><button type="submit">Sign out</button></form></header>
<main id="main" tabindex="-1">
<form class="filters" method="get" action="/dashboard" aria-label="Filters">
  <label for="area">Area
    ${
      partner.areas.length > 0
        ? html`<select id="area" name="area">${option("", "All my areas", values.area)}${partner.areas.map((a) => option(a, a, values.area))}</select>`
        : html`<input id="area" name="area" value="${values.area ?? ""}" placeholder="e.g. ST6" size="6">`
    }
  </label>
  <label for="period">Period <select id="period" name="period">${option("", "All time", values.period)}${option("year", "Last 52 weeks", values.period)}${blockOptions}</select></label>
  <label for="channel">Channel <select id="channel" name="channel">${option("", "Both", values.channel)}${option("sms", "SMS", values.channel)}${option("telegram", "Telegram", values.channel)}</select></label>
  <label for="age_band">Age <select id="age_band" name="age_band">${option("", "All ages", values.age_band)}${AGE_BANDS.map(([id, label]) => option(id, label, values.age_band))}</select></label>
  <label for="theme">Theme for trend and quotes <select id="theme" name="theme">${THEMES.map((t) => option(t, deps.themeLabel(t), theme))}</select></label>
  <button type="submit">Show</button>
</form>
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<section aria-labelledby="priorities-heading">
<h2 id="priorities-heading">Priorities${values.area ? ` in ${values.area}` : ""}</h2>
<p data-testid="period">Answers from ${periodLabel(period)}${period.kind === "all" ? " (all time)" : period.kind === "year" ? " (the last 52 weeks)" : ""}.</p>
${
  table.noResponses
    ? html`<p class="note" role="status" data-testid="empty-state">No responses yet${values.area ? ` in ${values.area}` : ""} for these filters.</p>`
    : table.respondents.count === null
      ? html`<p class="note" role="status" data-testid="empty-state">The figures${values.area ? ` for ${values.area}` : ""} with these filters are withheld to protect residents: fewer than ${deps.threshold} answered, or showing them would let a small group be worked out.</p>`
      : html`<p>Residents who answered: <strong data-testid="respondents">${table.respondents.count.toLocaleString("en-GB")}</strong></p>
<figure data-testid="priorities-figure"><figcaption><strong>Residents per priority${values.area ? ` in ${values.area}` : ""}</strong>, ${periodLabel(period)}, of ${table.respondents.count!.toLocaleString("en-GB")} residents who answered. Number of residents; each could choose up to three. Source: ${source}.</figcaption>
${barChart(
  `Residents per priority${values.area ? ` in ${values.area}` : ""}`,
  rows.map((r) => ({ label: deps.themeLabel(r.theme), value: r.count })),
  deps.threshold,
)}</figure>
<table data-testid="themes-table"><caption class="note">Each resident could pick up to three priorities, so the numbers do not add up to the total.</caption>
<thead><tr><th scope="col">Priority</th><th scope="col" class="num">Residents</th><th scope="col" class="num">Share</th></tr></thead>
<tbody>${rows.map(
          (r) =>
            html`<tr><th scope="row">${deps.themeLabel(r.theme)}</th><td class="num ${r.count === null ? "suppressed" : ""}">${r.count === null ? fewer : r.count.toLocaleString("en-GB")}</td><td class="num">${r.share === null ? "–" : `${r.share}%`}</td></tr>`,
        )}</tbody></table>
<p><a href="/dashboard/priorities.csv${query ? `?${query}` : ""}" download>Download these figures (CSV)</a></p>`
}
</section>
<section aria-labelledby="trend-heading">
<h2 id="trend-heading">${deps.themeLabel(theme)} over time</h2>
<figure data-testid="trend-figure"><figcaption><strong>Residents choosing ${deps.themeLabel(theme)}, per four weeks</strong>${values.area ? ` in ${values.area}` : ""}, ${periodLabel(period)}. ${
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
${
  quotes.length === 0
    ? html`<p class="note">No quotes to show: quotes appear only from areas where enough residents have written about this theme.</p>`
    : quotes.map(
        (q) => html`<blockquote>${q.text}<footer class="note">${q.area ?? ""}, ${q.month}</footer></blockquote>`,
      )
}
</section>
<p class="note" data-testid="disclosure-note">To protect residents, numbers under ${deps.threshold} are withheld (they read “${fewer}”) and the others are slightly adjusted, so that no small group can be worked out from them. Quotes have names, numbers and addresses removed.</p>
</main>`,
      ),
    );
  });
}
