// Composition root for the Cloudflare Worker: configuration from bindings and secrets, D1
// through Prisma's D1 adapter (the `cloudflare` runtime client), flows bundled at build time.
// Built once per isolate and reused by every request, cron run and Durable Object in it.
import { AsyncLocalStorage } from "node:async_hooks";
import { PrismaD1 } from "@prisma/adapter-d1";
import { qrSvg } from "../champions/qr.js";
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
import { analyseOffline, analyseWith } from "../nlp/offline-analyse.js";
import { createFetchThemeTagger } from "../nlp/fetch-theme-tagger.js";
import { composeServices, type ComposedServices } from "../runtime/compose.js";
import { lintFlowSources, type FlowLint } from "../ops/flows-lint.js";
import { BROADCAST_RESIDENTS_PER_PAGE } from "../runtime/chores.js";
import { createAddressCrypto, type AddressCrypto } from "../store/address-crypto.js";
import { d1Port } from "../store/d1-port.js";
import { createApp } from "../web/app.js";
import type { Hono } from "hono";
import type { WorkerEnv } from "./cloudflare.js";
import { newRowId } from "../store/ids.js";
import { workerWebhookPoster, workerWebhookVet } from "./webhook-post.js";
import { pacingObject } from "./pacing-object.js";

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
  const log = createLogger(config.logLevel, (line) => console.log(line), config.logFormat);
  if (!config.appSecret)
    throw new Error("APP_SECRET is not set: run `wrangler secret put APP_SECRET` (at least 32 characters)");
  const prisma = requestScopedPrisma(env);
  const addressCrypto = await createAddressCrypto(config.appSecret, config.previousAppSecrets);
  const registry = bundledRegistry(config);
  // The bundled flows never change within an isolate: linted once, when the flows page is first opened.
  let lint: FlowLint | undefined;
  // Without LangChain (it and a provider package would not fit the Worker's size budget): the
  // offline analyser, or a chat model through plain fetch that falls back to it.
  const tagger = config.llm
    ? createFetchThemeTagger(config.llm, {
        onFallback: (reason) => log.warn("theme tagging fell back to the offline tagger", { reason }),
      })
    : undefined;
  if (tagger)
    log.info("theme tagging uses an LLM, with the offline tagger as fallback", { provider: config.llm!.provider });
  const composed = composeServices({
    config,
    prisma,
    sql: d1Port(env.DB),
    addressCrypto,
    secret: config.appSecret,
    registry,
    urgent: parseUrgentLexicon(urgentLexicon),
    analyse: tagger ? (text) => analyseWith(tagger, text) : async (text) => analyseOffline(text),
    log,
    newId: newRowId,
    now: systemClock,
    webhooks: { post: workerWebhookPoster(config.webhookAllowHosts), vet: workerWebhookVet(config.webhookAllowHosts) },
    // D1 keeps its own history (Time Travel): status does not ask for `placevoice backup`.
    backups: "platform",
    // QR codes as SVG (pure JavaScript); no PNG: qrcode draws PNG through pngjs, on Node's streams.
    qrSvg,
    flowsGlance: async () => {
      lint ??= lintFlowSources(
        Object.entries(flowFiles).map(([file, text]) => ({ file: `flows/${file}`, text })),
        config,
        { file: "flows/lexicons/urgent-needs.yaml", text: urgentLexicon },
      );
      return {
        source: "this Worker (bundled into it at build)",
        lint,
        changed: [],
        tests: {
          unavailable:
            "The conversation tests do not run on Workers: they are not bundled, and each runs on a SQLite file of its own. Run `placevoice flows test` on a checkout before `npm run worker:deploy`.",
        },
      };
    },
    // A broadcast started from the dashboard queues its first page; the Cron Trigger the rest (broadcast-pager.ts).
    broadcastPageSize: BROADCAST_RESIDENTS_PER_PAGE,
    // Every sender (residents' Durable Objects, the Cron Trigger) asks the channel's one pacer.
    pacing: (sender) => pacingObject(env.PACING, sender.channel, sender.limits),
    // The instance that took the upload reloads at once; the others (and residents' Durable
    // Objects) at the next minute's cron.
    directoryTakesEffect: "within a minute (each Worker instance reloads the directory every minute)",
  });
  await composed.directory.reload();
  return { ...composed, config, prisma, addressCrypto, registry, app: createApp(composed.appDeps), log };
}

/**
 * Prisma Client batches the findUnique calls made in the same tick into one query (its
 * DataLoader). In a Worker the services are shared by the requests in an isolate, so one
 * request's batch would settle another request's promise, which workerd forbids: that request
 * is cancelled as hung (a 500). So every request, cron run and Durable Object call gets a client
 * of its own (`withRequestPrisma`), and the services reach it through this stand-in.
 */
const requestClient = new AsyncLocalStorage<PrismaClient>();

// The two generated clients differ only in how they load Prisma's query compiler.
const newClient = (env: WorkerEnv) =>
  new WorkerPrismaClient({ adapter: new PrismaD1(env.DB as never) }) as unknown as PrismaClient;

function requestScopedPrisma(env: WorkerEnv): PrismaClient {
  // Outside a request (opening the services): a client of the isolate's own.
  const isolateClient = newClient(env);
  return new Proxy(isolateClient, {
    get(_target, property) {
      const client = requestClient.getStore() ?? isolateClient;
      const value = Reflect.get(client, property) as unknown;
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
    },
  });
}

/** Runs one request's (or cron run's) work with a Prisma client of its own. */
export function withRequestPrisma<T>(env: WorkerEnv, work: () => T): T {
  return requestClient.run(newClient(env), work);
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
