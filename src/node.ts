// Node entry point: `npm start` / `placevoice serve`. Embedded SQLite by default, no accounts.
import { serve, type ServerType } from "@hono/node-server";
import { loadConfig, type Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
import { openNodeServices, type NodeServices } from "./runtime-node/services.js";
import { createApp } from "./web/app.js";

export interface RunningServer {
  readonly url: string;
  readonly services: NodeServices;
  close(): Promise<void>;
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const services = await openNodeServices(config, { log });
  const app = createApp({ store: services.store, log });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${port}`;
  log.info("PlaceVoice listening", { url, database: services.databaseFile, flows: services.registry.flows.size });
  logChannels(config, log);
  return {
    url,
    services,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
  };
}

function logChannels(_config: Config, log: Logger): void {
  log.info("channel telegram disabled: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET to enable it");
  log.info("channel sms disabled: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM to enable it");
  log.info("try it without any account: npx placevoice chat priorities");
}

/** Reads the environment, starts, and stops cleanly on SIGINT/SIGTERM. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = loadConfig(env);
  const log = createLogger(config.logLevel);
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
  running = await startServer(config, log);
  if (stopping) await running.close();
}
