// Composition root for the Cloudflare Worker: configuration from bindings and secrets, D1
// through Prisma's D1 adapter (the `cloudflare` runtime client), flows bundled at build time.
// Built once per isolate and reused by every request, cron run and Durable Object in it.
import { PrismaD1 } from "@prisma/adapter-d1";
import { systemClock } from "../clock.js";
import { loadConfig, type Config } from "../config.js";
import { parseUrgentLexicon } from "../directory/urgent.js";
import { parseFlow, type FlowProblem, formatProblem } from "../engine/parse-flow.js";
import { buildRegistry } from "../engine/registry.js";
import type { Flow, FlowRegistry } from "../engine/types.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PrismaClient as WorkerPrismaClient } from "../generated/prisma-worker/client.js";
import { flowFiles, urgentLexicon } from "../generated/worker-assets.js";
import { createLogger, type Logger } from "../log.js";
import { analyseOffline } from "../nlp/offline-analyse.js";
import { composeServices, type ComposedServices } from "../runtime/compose.js";
import { createAddressCrypto, type AddressCrypto } from "../store/address-crypto.js";
import { d1Port } from "../store/d1-port.js";
import { createApp } from "../web/app.js";
import type { Hono } from "hono";
import type { WorkerEnv } from "./cloudflare.js";
import { newRowId } from "../store/ids.js";
import { workerWebhookPoster, workerWebhookVet } from "./webhook-post.js";

export interface WorkerServices extends ComposedServices {
  readonly config: Config;
  readonly prisma: PrismaClient;
  readonly addressCrypto: AddressCrypto;
  readonly registry: FlowRegistry;
  readonly app: Hono;
  readonly log: Logger;
}

/** String bindings (vars and secrets) are the Worker's environment; D1 and Durable Objects are not configuration. */
function configEnv(env: WorkerEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"));
}

function bundledRegistry(config: Config): FlowRegistry {
  const flows: Flow[] = [];
  const problems: FlowProblem[] = [];
  for (const [file, source] of Object.entries(flowFiles)) {
    const parsed = parseFlow(source, `flows/${file}`);
    if (parsed.ok) flows.push(parsed.flow);
    else problems.push(...parsed.problems);
  }
  const registry = problems.length === 0 ? buildRegistry(flows, config.entryFlow, config.helpFlow) : undefined;
  if (!registry?.ok)
    throw new Error(
      `Flow files have errors:\n${(registry ? registry.problems : problems).map(formatProblem).join("\n")}`,
    );
  return registry.registry;
}

async function open(env: WorkerEnv): Promise<WorkerServices> {
  const config = loadConfig(configEnv(env));
  const log = createLogger(config.logLevel, (line) => console.log(line));
  if (!config.appSecret)
    throw new Error("APP_SECRET is not set: run `wrangler secret put APP_SECRET` (at least 32 characters)");
  // The two generated clients differ only in how they load Prisma's query compiler.
  const prisma = new WorkerPrismaClient({ adapter: new PrismaD1(env.DB as never) }) as unknown as PrismaClient;
  const addressCrypto = await createAddressCrypto(config.appSecret, config.previousAppSecrets);
  const registry = bundledRegistry(config);
  // The offline analyser, without LangChain: it and an LLM provider would not fit the Worker's size budget.
  const composed = composeServices({
    config,
    prisma,
    sql: d1Port(env.DB),
    addressCrypto,
    secret: config.appSecret,
    registry,
    urgent: parseUrgentLexicon(urgentLexicon),
    analyse: async (text) => analyseOffline(text),
    log,
    newId: newRowId,
    now: systemClock,
    webhooks: { post: workerWebhookPoster(config.webhookAllowHosts), vet: workerWebhookVet(config.webhookAllowHosts) },
  });
  await composed.directory.reload();
  return { ...composed, config, prisma, addressCrypto, registry, app: createApp(composed.appDeps), log };
}

let opened: Promise<WorkerServices> | undefined;

/** The isolate's services, opened on first use. Bindings cannot change within an isolate (a deploy starts new ones). */
export function workerServices(env: WorkerEnv): Promise<WorkerServices> {
  if (!opened) {
    const services = open(env);
    opened = services;
    // A failed start (e.g. a missing secret) is retried by the next request, not cached.
    services.catch(() => {
      if (opened === services) opened = undefined;
    });
  }
  return opened;
}
