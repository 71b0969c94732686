// The partner API: /api/v1/insights/{priorities,themes,offers,trend,quotes}, JSON or CSV (?format=csv),
// described at /api/v1/openapi.json. A bearer token scopes the partner to its own areas; every
// request is audited; every number has passed disclosure control (src/insights/disclosure.ts).
import { MAX_ADJUSTMENT } from "../insights/disclosure.js";
import type { Context, Hono } from "hono";
import * as z from "zod";
import { THEMES } from "../directory/themes.js";
import { POSTCODE_DISTRICT } from "../engine/parse-answer.js";
import { hashPartnerToken, type PartnerIdentity, type PartnerStore } from "../insights/partners.js";
import { RateLimiter } from "../rate-limit.js";
import type { CountSource, InsightFilter, InsightQueries } from "../insights/queries.js";
import { areaNamesOf, QUESTION_TEXT, TABLE_NAME, tableFilename, themeTableCsv, toCsv } from "../insights/csv.js";
import { openApiDocument } from "./openapi.js";
import type { Clock } from "../clock.js";
import { parsePeriod, type Period } from "../insights/periods.js";
import type { ServiceMetrics } from "../metrics.js";

/** What a response covers, as its `period`: the first and last day whose answers are counted. */
const periodOf = (p: Period) => ({ id: p.id, from: p.from, to: p.to });
/** The filter as the partner can read it back (the period is given on its own). */
const describe = ({ period: _period, ...rest }: InsightFilter) => rest;
const DISCLOSURE = `Numbers under the threshold are withheld; the others are slightly adjusted (never by more than ${MAX_ADJUSTMENT}) so that no small group of residents can be worked out from them. See /api/v1/openapi.json.`;
import { PartnerFeed } from "../updates/partner-feed.js";
import { reachCsv, WEIGHTING_CAVEAT, weightedCsv, type ReachQueries } from "../insights/reach.js";

export interface InsightsApiDeps {
  readonly partners: PartnerStore;
  readonly queries: InsightQueries;
  readonly themeLabel: (id: string) => string;
  readonly threshold: number;
  /** Requests per minute per token (default 120); more get 429 with Retry-After. */
  readonly requestsPerMinute?: number;
  /** The polling feed at /api/v1/feed. */
  readonly feed?: PartnerFeed;
  /** Today, for the periods (the service's clock). */
  readonly now: Clock;
  /** The names districts are known by ("ST6" -> "Burslem"), for the CSV's area_name. */
  readonly areaNames?: () => Promise<Readonly<Record<string, string>>>;
  /** Reach against the population baseline at /api/v1/insights/reach. */
  readonly reach?: ReachQueries;
  /** Counts requests by endpoint and outcome for /metrics. */
  readonly metrics?: ServiceMetrics;
}

/** A partner API response's outcome, as /metrics counts it. */
function apiOutcome(status: number): "ok" | "refused" | "rate_limited" | "bad_request" | "error" {
  if (status >= 500) return "error";
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "refused";
  if (status >= 400) return "bad_request";
  return "ok";
}

const district = z.string().trim().toUpperCase().regex(POSTCODE_DISTRICT, "area is a postcode district such as ST6");
const common = z.object({
  area: district.optional(),
  period: z.string().max(20).optional(),
  // Any day is no longer a period: say so rather than ignore them.
  from: z
    .never({
      error: 'from/to are not accepted: ask for a period ("all", "year", or a day of the four-week block you want)',
    })
    .optional(),
  to: z
    .never({
      error: 'from/to are not accepted: ask for a period ("all", "year", or a day of the four-week block you want)',
    })
    .optional(),
  channel: z.enum(["sms", "telegram"]).optional(),
  age_band: z
    .string()
    .regex(/^[a-z0-9_]{2,32}$/)
    .optional(),
  format: z.enum(["json", "csv"]).default("json"),
});
const withTheme = common.extend({ theme: z.enum(THEMES) });
/** Reach is per area and age band over a period: no channel or age filter. */
const reachQuery = common
  .pick({ area: true, period: true, from: true, to: true, format: true })
  .extend({ table: z.enum(["reach", "weighted"]).default("reach") });

type Vars = { Variables: { partner: PartnerIdentity } };

export function registerInsightsApi(app: Hono, deps: InsightsApiDeps): void {
  const api = app as unknown as Hono<Vars>;
  const fewer = `fewer than ${deps.threshold}`;

  const metrics = deps.metrics;
  if (metrics)
    app.use("/api/v1/*", async (c, next) => {
      await next();
      // The last path segment names the endpoint; the metric keeps only known names.
      const endpoint = c.req.path
        .split("/")
        .pop()!
        .replace(/\.json$/, "");
      metrics.partnerApi.inc({ endpoint, outcome: apiOutcome(c.res.status) });
    });

  app.get("/api/v1/openapi.json", (c) => c.json(openApiDocument(deps.threshold)));

  const perToken = new RateLimiter(deps.requestsPerMinute ?? 120, 60_000);
  // Refusals are audited, but a flood of bad tokens must not flood the audit log: at most this many a minute.
  const deniedAudits = new RateLimiter(60, 60_000);

  const authenticate = async (c: Context<Vars>, next: () => Promise<void>) => {
    const header = c.req.header("Authorization") ?? "";
    const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    // Limited before the token is checked, so guessing costs as much as using.
    const decision = perToken.take(token ? hashPartnerToken(token) : "no-token");
    if (!decision.allowed) {
      if (decision.firstRefusal)
        await deps.partners.audit("unknown", "denied: rate limit", {
          path: c.req.path,
          limitPerMinute: perToken.limit,
        });
      c.header("Retry-After", String(Math.ceil(decision.retryAfterMs / 1000)));
      return c.json(
        {
          error: "rate_limited",
          message: `At most ${perToken.limit} requests a minute per token. Try again in ${Math.ceil(decision.retryAfterMs / 1000)} s.`,
        },
        429,
      );
    }
    const partner = token ? await deps.partners.authenticate(token) : null;
    if (!partner) {
      // Refusals are audited too, without the token itself.
      if (deniedAudits.take("denied").allowed)
        await deps.partners.audit("unknown", "denied: invalid or revoked token", {
          path: c.req.path,
          presented: token ? "token" : "none",
        });
      c.header("WWW-Authenticate", 'Bearer realm="placevoice"');
      return c.json(
        { error: "unauthorized", message: "A valid partner token is required (Authorization: Bearer …)" },
        401,
      );
    }
    c.set("partner", partner);
    await deps.partners.audit(
      partner.id,
      `${c.req.method} ${c.req.path}`,
      Object.fromEntries(new URL(c.req.url).searchParams),
    );
    await next();
    return undefined;
  };
  api.use("/api/v1/insights/*", authenticate);
  api.use("/api/v1/feed", authenticate);

  // The partner's insight and updates as one JSON document, for systems that poll: unchanged
  // insight gives the same ETag, and If-None-Match then gets 304 with no body.
  if (deps.feed) {
    const feed = deps.feed;
    api.get("/api/v1/feed", async (c) => {
      const body = JSON.stringify(await feed.feed(c.get("partner")));
      const etag = PartnerFeed.etag(body);
      c.header("ETag", etag);
      c.header("Cache-Control", "private, no-cache");
      const match = c.req.header("If-None-Match");
      if (match && match.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) return c.body(null, 304);
      return c.body(body, 200, { "Content-Type": "application/json; charset=utf-8" });
    });
  }

  /** Validated query and the filter it means for this partner, or the response refusing it. */
  const parse = async <S extends z.ZodType>(
    c: Context<Vars>,
    schema: S,
  ): Promise<{ query: z.infer<S>; filter: InsightFilter; period: Period } | Response> => {
    const parsed = schema.safeParse(Object.fromEntries(new URL(c.req.url).searchParams));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return c.json({ error: "bad_request", message: `${issue.path.join(".") || "query"}: ${issue.message}` }, 400);
    }
    const q = parsed.data as z.infer<typeof common>;
    const partner = c.get("partner");
    if (q.area && partner.areas.length > 0 && !partner.areas.includes(q.area)) {
      void deps.partners.audit(partner.id, "denied: area outside partner's areas", { path: c.req.path, area: q.area });
      return c.json(
        { error: "forbidden", message: `${q.area} is not one of your areas (${partner.areas.join(", ")})` },
        403,
      );
    }
    const today = deps.now();
    const requested = parsePeriod(q.period, today);
    if ("error" in requested) return c.json({ error: "bad_request", message: requested.error }, 400);
    const period = await deps.queries.resolvePeriod(requested, today);
    const filter: InsightFilter = {
      allowedAreas: partner.areas,
      ...(q.area ? { area: q.area } : {}),
      ...(period.kind === "all" ? {} : { period }),
      ...(q.channel ? { channel: q.channel } : {}),
      ...(q.age_band ? { ageBand: q.age_band } : {}),
    };
    return { query: parsed.data, filter, period };
  };

  const themeTable = (source: CountSource) => async (c: Context<Vars>) => {
    const parsed = await parse(c, common);
    if (parsed instanceof Response) return parsed;
    const table = await deps.queries.table(parsed.filter, source);
    const rows = table.rows
      .map((r) => ({ ...r, label: deps.themeLabel(r.theme) }))
      .sort((a, b) => (b.count ?? -1) - (a.count ?? -1));
    if (parsed.query.format === "csv") {
      const area =
        parsed.filter.area ??
        (parsed.filter.allowedAreas.length > 0 ? parsed.filter.allowedAreas.join(" ") : "all areas");
      const name = TABLE_NAME[source];
      c.header("Content-Disposition", `attachment; filename="${tableFilename(name, area, parsed.period)}"`);
      const codes = parsed.filter.area ? [parsed.filter.area] : parsed.filter.allowedAreas;
      const context = {
        area,
        areaName: areaNamesOf(codes, deps.areaNames ? await deps.areaNames() : {}),
        period: parsed.period,
        question: QUESTION_TEXT[source],
        respondents: table.respondents.count,
        generatedAt: deps.now(),
      };
      return c.body(themeTableCsv(rows, deps.themeLabel, deps.threshold, context), 200, {
        "Content-Type": "text/csv; charset=utf-8",
      });
    }
    return c.json({
      period: periodOf(parsed.period),
      filter: describe(parsed.filter),
      threshold: table.threshold,
      disclosure: DISCLOSURE,
      respondents: table.respondents,
      rows,
    });
  };

  api.get("/api/v1/insights/priorities", themeTable("choice"));
  api.get("/api/v1/insights/themes", themeTable("text"));
  api.get("/api/v1/insights/offers", themeTable("offer"));

  api.get("/api/v1/insights/trend", async (c) => {
    const parsed = await parse(c, withTheme.extend({ source: z.enum(["choice", "text"]).default("choice") }));
    if (parsed instanceof Response) return parsed;
    const points = await deps.queries.trend(
      { ...parsed.filter, period: parsed.period },
      parsed.query.source,
      parsed.query.theme,
      deps.now(),
    );
    if (parsed.query.format === "csv") {
      return c.body(
        toCsv([["from", "to", "residents"], ...points.map((p) => [p.period.from, p.period.to, p.count ?? fewer])]),
        200,
        { "Content-Type": "text/csv; charset=utf-8" },
      );
    }
    return c.json({
      period: periodOf(parsed.period),
      theme: parsed.query.theme,
      label: deps.themeLabel(parsed.query.theme),
      threshold: deps.threshold,
      disclosure: DISCLOSURE,
      points,
    });
  });

  if (deps.reach) {
    const reach = deps.reach;
    api.get("/api/v1/insights/reach", async (c) => {
      const parsed = await parse(c, reachQuery);
      if (parsed instanceof Response) return parsed;
      const report = await reach.report(parsed.filter, parsed.period);
      if (parsed.query.format === "csv") {
        const weighted = parsed.query.table === "weighted";
        c.header(
          "Content-Disposition",
          `attachment; filename="placevoice-${weighted ? "weighted-priorities" : "reach"}-${parsed.period.from}-to-${parsed.period.to}.csv"`,
        );
        return c.body(weighted ? weightedCsv(report, deps.themeLabel) : reachCsv(report), 200, {
          "Content-Type": "text/csv; charset=utf-8",
        });
      }
      return c.json({
        period: periodOf(parsed.period),
        filter: describe(parsed.filter),
        threshold: report.threshold,
        disclosure: DISCLOSURE,
        weightingCaveat: WEIGHTING_CAVEAT,
        areasHeardLeast: report.areasHeardLeast,
        groupsHeardLeast: report.groupsHeardLeast,
        areas: report.areas.map((a) => ({
          ...a,
          weighted: { ...a.weighted, rows: a.weighted.rows.map((r) => ({ ...r, label: deps.themeLabel(r.theme) })) },
        })),
      });
    });
  }

  api.get("/api/v1/insights/quotes", async (c) => {
    const parsed = await parse(c, withTheme);
    if (parsed instanceof Response) return parsed;
    const quotes = await deps.queries.quotes(parsed.filter, parsed.query.theme);
    if (parsed.query.format === "csv") {
      return c.body(toCsv([["area", "month", "text"], ...quotes.map((q) => [q.area, q.month, q.text])]), 200, {
        "Content-Type": "text/csv; charset=utf-8",
      });
    }
    return c.json({ period: periodOf(parsed.period), theme: parsed.query.theme, threshold: deps.threshold, quotes });
  });
}
