// Composition root for Node: opens the SQLite file (migrating it first), loads the flows and
// wires the conversation host. The server, the CLI and the tests all start here.
import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { DirectoryHolder } from "../directory/holder.js";
import { createChatModelFromConfig, createTextAnalyser } from "../nlp/index.js";
import { ChampionStore } from "../champions/champion-store.js";
import { PartnerStore } from "../insights/partners.js";
import { InsightQueries } from "../insights/queries.js";
import { parseUrgentLexicon } from "../directory/urgent.js";
import { PrismaDirectoryStore } from "../store/prisma-directory.js";
import path from "node:path";
import type { Bot } from "grammy";
import { createBot, telegramSender } from "../channels/telegram/bot.js";
import { smsSender } from "../channels/sms/sender.js";
import { checkSmsLength } from "../channels/sms/lint.js";
import { formatProblem } from "../engine/parse-flow.js";
import { OutboxDispatcher, type ChannelSender } from "../channels/outbox-dispatcher.js";
import type { Config } from "../config.js";
import type { AppDeps } from "../web/app.js";
import { PrismaOutboxStore } from "../store/prisma-outbox.js";
import { ConversationService, type ReplyRenderer } from "../conversation/handle-inbound.js";
import { outboxRenderer } from "../channels/renderers.js";
import type { FlowRegistry } from "../engine/types.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../log.js";
import { createAddressCrypto, type AddressCrypto } from "../store/address-crypto.js";
import type { MigrationReport } from "../store/migrate.js";
import { PrismaConversationStore } from "../store/prisma-store.js";
import { migrateSqliteFile, openPrismaSqlite, sqlitePathFromUrl } from "../store/sqlite-file.js";
import { ensureAppSecrets, type AppSecrets } from "./app-secret.js";
import { loadRegistry } from "./flow-dir.js";
import { migrationsDir, sampleDirectoryDir, shippedFlowsDir } from "./paths.js";
import { importServices } from "./import-services.js";

export interface NodeServices {
  readonly config: Config;
  readonly prisma: PrismaClient;
  readonly store: PrismaConversationStore;
  readonly registry: FlowRegistry;
  readonly addressCrypto: AddressCrypto;
  readonly secrets: AppSecrets;
  readonly conversation: ConversationService;
  readonly migrations: MigrationReport;
  readonly databaseFile: string;
  readonly outbox: PrismaOutboxStore;
  readonly directoryStore: PrismaDirectoryStore;
  readonly directory: DirectoryHolder;
  readonly partners: PartnerStore;
  readonly dispatcher: OutboxDispatcher;
  readonly bot: Bot | undefined;
  /** Outbox renderers of the channels that can send. */
  readonly renderers: ReadonlyMap<string, ReplyRenderer>;
  /** Everything the HTTP app needs, channels included. */
  readonly appDeps: AppDeps;
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly log: Logger;
  /** Injected in tests for replayable conversations. */
  readonly now?: () => Date;
  readonly newId?: () => string;
  readonly registry?: FlowRegistry;
}

export async function openNodeServices(config: Config, options: ServiceOptions): Promise<NodeServices> {
  const { log } = options;
  const databaseFile = path.resolve(sqlitePathFromUrl(config.databaseUrl));
  // Flows first: a broken flow file must stop the start before anything is written.
  const registry = options.registry ?? loadRegistry(path.resolve(config.flowsDir ?? shippedFlowsDir), config.entryFlow, config.helpFlow);
  if (config.twilio) {
    const variables = { privacy_url: config.privacyUrl, organisation: config.organisationName };
    for (const flow of registry.flows.values()) {
      for (const p of checkSmsLength(flow, { maxSegments: config.smsMaxSegments, languages: config.languages, variables })) log.warn(`flow text too long for SMS: ${formatProblem(p)}`);
    }
  }
  const migrations = migrateSqliteFile(databaseFile, migrationsDir);
  if (migrations.applied.length > 0) log.info("database migrated", { applied: migrations.applied.join(","), file: databaseFile });
  const secrets = ensureAppSecrets(config.appSecret, config.previousAppSecrets, path.dirname(databaseFile), log);
  const secret = secrets.current;
  const [prisma, addressCrypto] = await Promise.all([openPrismaSqlite(databaseFile), createAddressCrypto(secret, secrets.previous)]);
  const store = new PrismaConversationStore(prisma);
  // Free text is redacted and tagged before it is stored for analysis: offline unless an LLM is configured.
  const llm = config.llm ? await createChatModelFromConfig(config.llm) : undefined;
  if (llm) log.info("theme tagging uses an LLM, with the offline tagger as fallback", { provider: config.llm!.provider });
  const analyser = createTextAnalyser(llm ? { llm } : {});
  const directoryStore = new PrismaDirectoryStore(prisma);
  const directory = new DirectoryHolder(directoryStore, config.timezone);
  if (config.servicesDirectory !== "none" && (await directoryStore.count()) === 0) {
    // First start: signpost out of the box from the configured (or shipped sample) directory.
    const location = config.servicesDirectory ?? sampleDirectoryDir;
    const report = await importServices(location, directoryStore);
    log.info("services directory imported", { source: report.source, services: report.services, problems: report.problems.length });
  }
  await directory.reload();
  const urgent = parseUrgentLexicon(readFileSync(path.join(path.resolve(config.flowsDir ?? shippedFlowsDir), "lexicons", "urgent-needs.yaml"), "utf8"));
  const conversation = new ConversationService({
    store,
    registry,
    addressCrypto,
    settings: {
      privacyNoticeVersion: config.privacyNoticeVersion,
      languages: config.languages,
      organisationName: config.organisationName,
      variables: { privacy_url: config.privacyUrl, organisation: config.organisationName },
    },
    now: options.now ?? (() => new Date()),
    newId: options.newId ?? randomUUID,
    log,
    directory: () => directory.current(),
    urgent,
    analyse: (text) => analyser.invoke(text),
    messagesPerMinute: config.contactRateLimit,
  });
  const outbox = new PrismaOutboxStore(prisma);
  const bot = config.telegram ? createBot(config.telegram) : undefined;
  const senders: ChannelSender[] = [];
  if (bot && config.telegram) senders.push(telegramSender(bot, config.telegram));
  if (config.twilio) senders.push(smsSender(config.twilio, config.publicUrl));
  const renderers = new Map<string, ReplyRenderer>();
  for (const sender of senders) {
    const render = outboxRenderer(sender.channel, config.smsMaxSegments);
    if (render) renderers.set(sender.channel, render);
  }
  const dispatcher = new OutboxDispatcher({
    store: outbox,
    senders,
    addressCrypto,
    log,
    maxAttempts: config.outboxMaxAttempts,
    ...(options.now ? { now: options.now } : {}),
  });
  const partners = new PartnerStore(prisma, options.newId ?? randomUUID, options.now);
  const insightQueries = new InsightQueries(prisma, config.kThreshold);
  const themeLabels = new Map<string, string>();
  for (const flow of registry.flows.values()) {
    for (const node of flow.nodes) {
      if (node.type === "question" && (node.input.kind === "multi_choice" || node.input.kind === "single_choice")) {
        for (const o of node.input.options) if (!themeLabels.has(o.id)) themeLabels.set(o.id, o.label.en ?? o.id);
      }
    }
  }
  const sessionSecret = createHash("sha256").update(`placevoice-dashboard-session:${secret}`).digest("base64url");
  const appDeps: AppDeps = {
    store,
    log,
    // The long-lived connection can keep serving from its cache after the file is damaged or
    // gone; a fresh read-only connection sees the database as a restart would.
    checkDatabase: async () => {
      const probe = new Database(databaseFile, { readonly: true, fileMustExist: true, timeout: 1000 });
      try {
        probe.prepare("SELECT count(*) FROM sqlite_master").get();
      } finally {
        probe.close();
      }
    },
    insights: {
      partners,
      queries: insightQueries,
      themeLabel: (id) => themeLabels.get(id) ?? id,
      threshold: config.kThreshold,
      requestsPerMinute: config.apiRateLimit,
    },
    privacy: {
      organisationName: config.organisationName,
      contact: config.privacyContact,
      version: config.privacyNoticeVersion,
      retentionDays: config.retentionDays,
      threshold: config.kThreshold,
    },
    dashboard: {
      partners,
      queries: insightQueries,
      themeLabel: (id) => themeLabels.get(id) ?? id,
      threshold: config.kThreshold,
      sessionSecret,
      secureCookies: (config.publicUrl ?? "").startsWith("https://"),
      organisationName: config.organisationName,
    },
    admin: { partners, sessionSecret, registry, outbox, ...(options.now ? { now: options.now } : {}) },
    champions: {
      audit: (actor, action, detail) => partners.audit(actor, action, detail),
      champions: new ChampionStore(prisma, options.newId ?? randomUUID),
      kThreshold: config.kThreshold,
      entryFlowId: config.entryFlow,
      organisationName: config.organisationName,
      themeLabel: (id) => themeLabels.get(id) ?? id,
    },
    ...(bot && config.telegram ? { telegram: { config: config.telegram, bot, conversation, dispatcher, store, addressCrypto, log } } : {}),
    ...(config.twilio && config.publicUrl
      ? { sms: { config: config.twilio, publicUrl: config.publicUrl, maxSegments: config.smsMaxSegments, conversation, outbox, log, ...(options.now ? { now: options.now } : {}) } }
      : {}),
  };
  return {
    config,
    prisma,
    store,
    registry,
    addressCrypto,
    secrets,
    conversation,
    migrations,
    databaseFile,
    outbox,
    directoryStore,
    directory,
    partners,
    dispatcher,
    bot,
    renderers,
    appDeps,
    close: async () => {
      await dispatcher.stop();
      await store.close();
    },
  };
}
