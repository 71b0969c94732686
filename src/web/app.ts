// The Hono application shared by the Node server and the Worker. Routes are added per room
// (webhooks, partner API, dashboard); everything they need arrives in AppDeps.
import { classifyStoreError } from "../store/outcomes.js";
import { Hono, type Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { bodyLimit } from "../http/body-limit.js";
import { secureHeaders } from "hono/secure-headers";
import { registerSmsWebhooks, type SmsChannelDeps } from "../channels/sms/webhook.js";
import { registerTelegramWebhook, type TelegramChannelDeps } from "../channels/telegram/webhook.js";
import { inRequest, type Logger } from "../log.js";
import { registerChampionView, type ChampionViewDeps } from "./champion-view.js";
import { registerInsightsApi, type InsightsApiDeps } from "./insights-api.js";
import { registerDashboard, type DashboardDeps } from "./dashboard.js";
import { registerAdmin, type AdminDeps } from "./admin.js";
import { registerFlowsView, type FlowsViewDeps } from "./flows-view.js";
import { registerBroadcasts, type BroadcastViewDeps } from "./broadcasts-view.js";
import { registerThemesReview, type ThemesReviewDeps } from "./themes-review.js";
import { registerChampionsAdmin, type ChampionsAdminDeps } from "./champions-admin.js";
import { DIRECTORY_ADMIN_PATH, registerDirectoryAdmin, type DirectoryAdminDeps } from "./directory-admin.js";
import { registerSimulator, type SimulatorDeps } from "./simulator-view.js";
import { registerRelaysView, type RelaysViewDeps } from "./relays-view.js";
import { registerPrivacyNotice, type PrivacyDeps } from "./privacy.js";
import { registerPublicResults, type PublicResultsDeps } from "./public-results.js";
import { registerReachView, type ReachViewDeps } from "./reach-view.js";
import { notFoundPage, registerHome, wantsHtml, type HomeDeps } from "./home.js";
import { trimTrailingSlash } from "hono/trailing-slash";
import type { ConversationStore } from "../store/types.js";

export interface AppDeps {
  readonly store: ConversationStore;
  readonly log: Logger;
  /**
   * Carry each request's id to every log line written for it (LOG_FORMAT=json). Off, responses
   * still carry X-Request-Id, and requests skip the async context that carries it (on Node 20
   * its promise hooks cost every request something).
   */
  readonly requestIdsInLogs?: boolean;
  /** A deeper check than the store's own connection can give (e.g. a fresh connection to the file). */
  readonly checkDatabase?: () => Promise<void>;
  /** Present when Telegram is configured. */
  readonly telegram?: TelegramChannelDeps;
  /** Present when Twilio is configured. */
  readonly sms?: SmsChannelDeps;
  readonly champions?: ChampionViewDeps;
  readonly insights?: InsightsApiDeps;
  readonly dashboard?: DashboardDeps;
  /** The operator's admin views under /dashboard/admin (same sign-in as the dashboard). */
  readonly admin?: AdminDeps;
  /** Flows at a glance at /dashboard/admin/flows: outline, lint and conversation tests (operators). */
  readonly flowsView?: FlowsViewDeps;
  /** Operators start, watch and cancel broadcasts at /dashboard/admin/broadcasts. */
  readonly broadcasts?: BroadcastViewDeps;
  /** An officer settles free-text answers' themes at /dashboard/themes-review (operators). */
  readonly themesReview?: ThemesReviewDeps;
  /** An operator's champions, codes, QR codes and posters at /dashboard/champions. */
  readonly championsAdmin?: ChampionsAdminDeps;
  /** An operator uploads the services directory at /dashboard/admin/directory (dry run, then confirm). */
  readonly directoryAdmin?: DirectoryAdminDeps;
  /** An officer talks to a flow as a resident would, on a scratch contact, at /dashboard/simulator. */
  readonly simulator?: SimulatorDeps;
  /** Local groups answer residents who asked them to get in touch; operators link and suspend groups (docs/relays.md). */
  readonly relays?: RelaysViewDeps;
  readonly privacy?: PrivacyDeps;
  /** The front door at /, the favicon and robots.txt. */
  readonly home?: HomeDeps;
  /** Public results (/results, /you-said-we-did) for the areas an operator publishes. */
  readonly publicResults?: PublicResultsDeps;
  /** Reach against the population baseline at /dashboard/reach (same sign-in as the dashboard). */
  readonly reach?: ReachViewDeps;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  // Every request gets an id of our own (never one a client sends, which could carry anything):
  // returned in X-Request-Id and written on every log line of the request, including the
  // sending of its replies after the answer.
  app.use("*", async (c, next) => {
    const requestId = crypto.randomUUID();
    c.header("X-Request-Id", requestId);
    if (deps.requestIdsInLogs) await inRequest(requestId, next);
    else await next();
    if (!c.res.headers.has("X-Request-Id")) c.res.headers.set("X-Request-Id", requestId);
  });
  // Security headers on every response a browser may render. Pages hold no scripts: only
  // inline styles and our own (or data:) images. A route may set a stricter header itself (the
  // champion page sends no referrer at all, since its URL carries a key); it is not
  // overwritten.
  const secure = secureHeaders({
    overwrite: false,
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    // same-origin, not no-referrer: with no-referrer, browsers send "Origin: null" on our own
    // form posts, and the dashboard's sign-in origin check would refuse them.
    referrerPolicy: "same-origin",
    xFrameOptions: "DENY",
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
    crossOriginResourcePolicy: "same-origin",
    crossOriginOpenerPolicy: "same-origin",
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [] },
  });
  // Every route has a body limit.
  const limit = bodyLimit({
    maxSize: 64 * 1024,
    onError: (c) => c.json({ error: "payload_too_large", message: "Request body too large" }, 413),
  });
  // The webhooks set their own limits (1 MB Telegram, 64 kB Twilio), and answer Telegram and
  // Twilio, which render nothing: no browser headers, which would otherwise cost each webhook
  // reply a Headers object.
  const isWebhook = (c: Context): boolean => c.req.path.startsWith("/webhooks/");
  app.use("*", (c, next) => (isWebhook(c) ? next() : secure(c, next)));
  // The directory upload sets its own limit too (a package of several MB).
  const ownLimit = (c: Context): boolean =>
    isWebhook(c) || (deps.directoryAdmin !== undefined && c.req.path === DIRECTORY_ADMIN_PATH);
  app.use("*", (c, next) => (ownLimit(c) ? next() : limit(c, next)));
  // "/dashboard/" finds "/dashboard": a GET that would be a 404 is redirected without its slash.
  app.use("*", trimTrailingSlash());

  app.get("/healthz", async (c) => {
    try {
      await deps.store.ping();
      await deps.checkDatabase?.();
      return c.json({ status: "ok", database: "ok" });
    } catch (error) {
      deps.log.error("health check: database unreachable", { error: (error as Error).name });
      return c.json({ status: "unavailable", database: "unreachable" }, 503);
    }
  });

  if (deps.telegram) registerTelegramWebhook(app, deps.telegram);
  if (deps.sms) registerSmsWebhooks(app, deps.sms);
  if (deps.champions) registerChampionView(app, deps.champions);
  if (deps.insights) registerInsightsApi(app, deps.insights);
  if (deps.admin) registerAdmin(app, deps.admin);
  if (deps.flowsView) registerFlowsView(app, deps.flowsView);
  if (deps.broadcasts) registerBroadcasts(app, deps.broadcasts);
  if (deps.themesReview) registerThemesReview(app, deps.themesReview);
  if (deps.championsAdmin) registerChampionsAdmin(app, deps.championsAdmin);
  if (deps.directoryAdmin) registerDirectoryAdmin(app, deps.directoryAdmin);
  if (deps.simulator) registerSimulator(app, deps.simulator);
  if (deps.relays) registerRelaysView(app, deps.relays);
  if (deps.dashboard) registerDashboard(app, deps.dashboard);
  if (deps.reach) registerReachView(app, deps.reach);
  if (deps.privacy) registerPrivacyNotice(app, deps.privacy);
  if (deps.home) registerHome(app, deps.home);
  if (deps.publicResults) registerPublicResults(app, deps.publicResults);

  // Browsers get a page with a way home; API clients and platforms keep JSON.
  app.notFound((c) =>
    wantsHtml(c)
      ? notFoundPage(c, deps.home?.organisationName ?? "PlaceVoice")
      : c.json({ error: "not_found", message: `No route for ${c.req.method} ${c.req.path}` }, 404),
  );

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse();
    if (classifyStoreError(error).kind === "busy") {
      // Nothing was committed: ask the platform to deliver the webhook again later.
      deps.log.warn("database unavailable, asking for a retry", { path: c.req.path, error: error.name });
      return c.json({ error: "unavailable", message: "Temporarily unavailable, please retry" }, 503, {
        "Retry-After": "5",
      });
    }
    deps.log.error("unhandled error", { path: c.req.path, error: error.name, message: error.message.slice(0, 200) });
    return c.json({ error: "internal_error", message: "Something went wrong on our side. It has been logged." }, 500);
  });

  return app;
}
