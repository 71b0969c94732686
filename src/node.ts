// Node entry point: `npm start` / `placevoice serve`. Embedded SQLite by default, no accounts.
import v8 from "node:v8";
import { serve, type ServerType } from "@hono/node-server";
import type { Clock } from "./clock.js";
import { loadConfig, type Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { openNodeServices, type NodeServices } from "./runtime-node/services.js";
import { runScriptFile } from "./runtime-node/script-driver.js";
import { createApp } from "./web/app.js";
import { partnerWebhooksChore, remindersChore, retentionChore } from "./runtime/chores.js";

export interface RunningServer {
  readonly url: string;
  readonly services: NodeServices;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  log: Logger,
  options: {
    now?: Clock;
    recordKey?: () => number;
    /** How often the alert rules are checked (a minute; tests pass less). */
    alertCheckMs?: number;
    /** The environment the configuration was read from (the flows page's conversation tests run with it). */
    env?: Readonly<Record<string, string | undefined>>;
  } = {},
): Promise<RunningServer> {
  const { alertCheckMs = 60_000, env = {}, ...serviceOptions } = options;
  const services = await openNodeServices(config, {
    log,
    ...serviceOptions,
    flowTests: { run: runScriptFile, env },
  });
  const app = createApp(services.appDeps);
  services.dispatcher.start();
  // Pick up `placevoice services import` run against this database while we serve.
  const directoryTimer = setInterval(() => {
    void services.directory
      .reload()
      .then(
        (changed) =>
          changed && log.info("services directory reloaded", { services: services.directory.current()?.size ?? 0 }),
      )
      .catch(() => undefined);
  }, 30_000);
  directoryTimer.unref();
  // Retention, daily (and once shortly after start).
  const retention = async () => {
    try {
      await retentionChore(services.prisma, { now: services.now(), retentionDays: config.retentionDays }, log);
    } catch (error) {
      log.error("retention run failed", { error: (error as Error).name });
    }
  };
  setTimeout(() => void retention(), 60_000).unref();
  setInterval(() => void retention(), 24 * 3_600_000).unref();
  // Partners' webhooks: the weekly feed when a week has passed, and retries that are due.
  const webhookTimer = setInterval(() => {
    void partnerWebhooksChore(services.feed, services.partners).catch((error: Error) =>
      log.error("partner webhooks failed", { error: error.name }),
    );
  }, 60_000);
  webhookTimer.unref();
  // Gentle reminders that fell due (none in quiet hours: they wait for the morning).
  const reminderTimer = setInterval(() => {
    void remindersChore(services, log).catch((error: Error) => log.error("reminders failed", { error: error.name }));
  }, 60_000);
  reminderTimer.unref();
  // Alert rules (ALERT_*): one message to the operators when one trips, one when it clears.
  const alerts = services.alerts;
  const alertTimer = alerts
    ? setInterval(() => {
        void alerts.check().catch((error: Error) => log.error("alert check failed", { error: error.name }));
      }, alertCheckMs)
    : undefined;
  alertTimer?.unref();
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`;
  log.info("PlaceVoice listening", { url, database: services.databaseFile, flows: services.registry.flows.size });
  logChannels(config, log);
  if (config.telegram && !config.publicUrl)
    log.warn(
      "PUBLIC_URL is not set: `placevoice telegram set-webhook` needs it to tell Telegram where to send updates",
    );
  return {
    url,
    services,
    close: async () => {
      // Stop accepting, let in-flight requests finish, then stop the outbox worker (it finishes
      // its batch) and close the database.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A keep-alive connection whose last request finishes after close() would otherwise hold
      // the exit for the whole keep-alive timeout; close each one as soon as it is idle.
      const sweep = setInterval(() => "closeIdleConnections" in server && server.closeIdleConnections(), 50);
      await closed.finally(() => clearInterval(sweep));
      clearInterval(alertTimer);
      await services.close();
    },
  };
}

function logChannels(config: Config, log: Logger): void {
  if (config.telegram)
    log.info("channel telegram enabled", {
      webhook: "/webhooks/telegram",
      bot: config.telegram.username ?? "(set TELEGRAM_BOT_USERNAME for deep links)",
      api: config.telegram.apiRoot,
    });
  if (config.twilio)
    log.info("channel sms enabled", {
      webhook: "/webhooks/twilio/sms",
      status: "/webhooks/twilio/status",
      from: config.twilio.from.startsWith("MG") ? "messaging service" : "number",
      api: config.twilio.apiBase,
    });
  for (const reason of config.disabledChannels)
    log.info(`channel ${reason.split(":")[0]} disabled:${reason.slice(reason.indexOf(":") + 1)}`);
  if (!config.telegram && !config.twilio) log.info("try it without any account: npx placevoice chat priorities");
}

/**
 * What the server allocates is mostly garbage within a request. By default V8 lets the old
 * generation grow to about twice what survived the last full collection before it collects
 * again; under webhook load that is some 40 MB of resident memory holding nothing. Growing by
 * 20% keeps the server about 30 MB smaller at the same throughput (`npm run bench`). V8 reads
 * this flag at each collection, so setting it at run time takes effect; a value given on the
 * command line or in NODE_OPTIONS wins.
 */
function tuneHeapForServing(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
  if (!/--heap[-_]growing[-_]percent/.test(given)) v8.setFlagsFromString("--heap-growing-percent=20");
}

/** Reads the environment, starts, and stops cleanly on SIGINT/SIGTERM. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  tuneHeapForServing();
  const config = loadConfig(env);
  const log = createLogger(config.logLevel, undefined, config.logFormat);
  for (const warning of config.warnings) log.warn(warning);
  let running: RunningServer | undefined;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("shutting down", { signal });
    await running?.close();
    process.exit(0);
  };
  // Registered before starting, so a signal during start-up still shuts down cleanly.
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  running = await startServer(config, log, { env });
  if (stopping) await running.close();
}
