// Composition root for Node: opens the SQLite file (migrating it first), loads the flows and
// wires the conversation host. The server, the CLI and the tests all start here.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { checkSmsLength } from "../channels/sms/lint.js";
import { qrPng, qrSvg } from "../champions/qr.js";
import { systemClock, type Clock } from "../clock.js";
import type { Config } from "../config.js";
import { parseUrgentLexicon } from "../directory/urgent.js";
import { formatProblem } from "../engine/parse-flow.js";
import type { FlowRegistry } from "../engine/types.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import type { Logger } from "../log.js";
import { createChatModelFromConfig, createTextAnalyser } from "../nlp/index.js";
import { composeServices, type ComposedServices } from "../runtime/compose.js";
import { createAddressCrypto, type AddressCrypto } from "../store/address-crypto.js";
import { newRowId } from "../store/ids.js";
import type { MigrationReport } from "../store/migrate.js";
import { SendShares } from "../store/send-shares.js";
import { SqliteConnection, sqlitePort } from "../store/sqlite-direct.js";
import { migrateSqliteFile, openPrismaSqlite, sqlitePathFromUrl } from "../store/sqlite-file.js";
import { ensureAppSecrets, type AppSecrets } from "./app-secret.js";
import { botApiFetch } from "./bot-api-fetch.js";
import { nodeWebhookPoster, nodeWebhookVet, type Resolve } from "./webhook-post.js";
import { loadRegistry } from "./flow-dir.js";
import { nodeFlowsGlance, type FlowTests } from "./flows-glance.js";
import { importServices } from "./import-services.js";
import { migrationsDir, sampleDirectoryDir, shippedFlowsDir } from "./paths.js";

export interface NodeServices extends ComposedServices {
  readonly config: Config;
  readonly prisma: PrismaClient;
  readonly registry: FlowRegistry;
  readonly addressCrypto: AddressCrypto;
  readonly secrets: AppSecrets;
  readonly migrations: MigrationReport;
  readonly databaseFile: string;
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly log: Logger;
  /** The clock; the system clock unless a test sets one. */
  readonly now?: Clock;
  readonly newId?: () => string;
  /** How webhook host names are resolved (tests point a name anywhere; the system's resolver otherwise). */
  readonly resolveHost?: Resolve;
  /** Record keys for new residents; random unless a test fixes them. */
  readonly recordKey?: () => number;
  readonly registry?: FlowRegistry;
  /**
   * How the flows page runs the conversation tests: runScriptFile (src/runtime-node/script-driver.ts,
   * which opens services of its own, so the entry point passes it in) with the environment the
   * configuration was read from, as `placevoice flows test` runs them in the same shell. Without
   * it the page lints the flows and says the tests do not run in this process.
   */
  readonly flowTests?: FlowTests;
}

export async function openNodeServices(config: Config, options: ServiceOptions): Promise<NodeServices> {
  const { log } = options;
  const databaseFile = path.resolve(sqlitePathFromUrl(config.databaseUrl));
  // Flows first: a broken flow file must stop the start before anything is written.
  const registry =
    options.registry ??
    loadRegistry(path.resolve(config.flowsDir ?? shippedFlowsDir), config.entryFlow, config.helpFlow);
  if (config.twilio) {
    const variables = { privacy_url: config.privacyUrl, organisation: config.organisationName };
    for (const flow of registry.flows.values()) {
      for (const p of checkSmsLength(flow, {
        maxSegments: config.smsMaxSegments,
        languages: config.languages,
        variables,
      }))
        log.warn(`flow text too long for SMS: ${formatProblem(p)}`);
    }
  }
  const migrations = migrateSqliteFile(databaseFile, migrationsDir);
  if (migrations.applied.length > 0)
    log.info("database migrated", { applied: migrations.applied.join(","), file: databaseFile });
  const secrets = ensureAppSecrets(config.appSecret, config.previousAppSecrets, path.dirname(databaseFile), log);
  const secret = secrets.current;
  const [prisma, addressCrypto] = await Promise.all([
    openPrismaSqlite(databaseFile),
    createAddressCrypto(secret, secrets.previous),
  ]);
  // The webhook path's reads and writes on their own connection with prepared statements; everything else through Prisma.
  const sql = sqlitePort(new SqliteConnection(databaseFile));
  // Free text is redacted and tagged before it is stored for analysis: offline unless an LLM is configured.
  const llm = config.llm ? await createChatModelFromConfig(config.llm) : undefined;
  if (llm)
    log.info("theme tagging uses an LLM, with the offline tagger as fallback", { provider: config.llm!.provider });
  const analyser = createTextAnalyser(llm ? { llm } : {});
  const flowsDir = path.resolve(config.flowsDir ?? shippedFlowsDir);
  const composed = composeServices({
    config,
    prisma,
    sql,
    addressCrypto,
    secret,
    registry,
    urgent: parseUrgentLexicon(readFileSync(path.join(flowsDir, "lexicons", "urgent-needs.yaml"), "utf8")),
    analyse: (text) => analyser.invoke(text),
    log,
    newId: options.newId ?? newRowId,
    now: options.now ?? systemClock,
    ...(options.recordKey ? { recordKey: options.recordKey } : {}),
    botApiFetch: botApiFetch(),
    // The server, a second server and the CLI's `broadcast --send` share the platforms' limits.
    sendShares: new SendShares(sql, `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`),
    qrSvg,
    qrPng,
    // The folder the flows were loaded from, as it is when the page is opened (not for a registry given in code).
    ...(options.registry ? {} : { flowsGlance: nodeFlowsGlance({ dir: flowsDir, config, tests: options.flowTests }) }),
    webhooks: {
      post: nodeWebhookPoster({
        allowHosts: config.webhookAllowHosts,
        ...(options.resolveHost ? { resolve: options.resolveHost } : {}),
      }),
      vet: nodeWebhookVet({
        allowHosts: config.webhookAllowHosts,
        ...(options.resolveHost ? { resolve: options.resolveHost } : {}),
      }),
    },
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
  });
  const { directoryStore, directory, dispatcher } = composed;
  if (config.servicesDirectory !== "none" && (await directoryStore.count()) === 0) {
    // First start: signpost out of the box from the configured (or shipped sample) directory.
    const location = config.servicesDirectory ?? sampleDirectoryDir;
    const report = await importServices(location, directoryStore, { now: composed.now() });
    log.info("services directory imported", {
      source: report.source,
      services: report.services,
      problems: report.problems.length,
    });
  }
  await directory.reload();
  return {
    ...composed,
    config,
    prisma,
    registry,
    addressCrypto,
    secrets,
    migrations,
    databaseFile,
    close: async () => {
      await dispatcher.stop();
      await composed.store.close();
    },
  };
}
