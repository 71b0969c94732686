// What both runtimes wire the same way: the conversation host, the outbox and its senders, the
// directory, partners and insight, and everything the HTTP app needs. The Node composition root
// (src/runtime-node/services.ts) and the Worker's (src/runtime-worker/services.ts) only bring
// the database, the secrets, the flows and the text analyser.
import { createHash } from "node:crypto";
import type { Bot } from "grammy";
import { createBot, telegramSender, type BotApiFetch } from "../channels/telegram/bot.js";
import { smsSender } from "../channels/sms/sender.js";
import { OutboxDispatcher, type ChannelSender } from "../channels/outbox-dispatcher.js";
import type { SendShares } from "../store/send-shares.js";
import type { SendPacing } from "../channels/pacer.js";
import { outboxRenderer } from "../channels/renderers.js";
import { ChampionStore } from "../champions/champion-store.js";
import { shareLinks } from "../champions/codes.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import {
  ConversationService,
  type ConversationDeps,
  type ReplyRenderer,
  type TextAnalyser,
} from "../conversation/handle-inbound.js";
import { DirectoryHolder } from "../directory/holder.js";
import { DirectoryUploads } from "../directory/uploads.js";
import type { UrgentLexicon } from "../directory/urgent.js";
import type { FlowRegistry } from "../engine/types.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { PartnerStore } from "../insights/partners.js";
import { PublicAreas } from "../insights/public-areas.js";
import { ThemeReviews } from "../insights/theme-reviews.js";
import { InsightQueries } from "../insights/queries.js";
import { ReachQueries } from "../insights/reach.js";
import type { Logger } from "../log.js";
import type { AddressCrypto } from "../store/address-crypto.js";
import { PrismaDirectoryStore } from "../directory/directory-store.js";
import { SqlConversationStore } from "../store/conversation-store.js";
import { SqlOutboxStore } from "../store/outbox.js";
import { BroadcastQueues } from "../store/broadcast-queues.js";
import { gatherStatus } from "../ops/status.js";
import { AlertMonitor, alertNotifier } from "../ops/alerts.js";
import { processMemory, renderMetrics } from "../ops/metrics.js";
import { ServiceMetrics } from "../metrics.js";
import type { SqlPort } from "../store/sql-port.js";
import type { AppDeps } from "../web/app.js";
import type { FlowsGlance } from "../web/flows-view.js";
import { UpdateService } from "../updates/updates.js";
import { RelayService } from "../updates/relays.js";
import { RelayStore } from "../store/relay-store.js";
import { PartnerFeed, type FeedDeps } from "../updates/partner-feed.js";

export interface ComposeInput {
  readonly config: Config;
  readonly prisma: PrismaClient;
  /** The hot path's database: better-sqlite3 on Node, D1 on Workers (store/sql-port.ts). */
  readonly sql: SqlPort;
  readonly addressCrypto: AddressCrypto;
  /** The current APP_SECRET: dashboard sessions are signed with a key derived from it. */
  readonly secret: string;
  readonly registry: FlowRegistry;
  readonly urgent: UrgentLexicon;
  readonly analyse: TextAnalyser;
  readonly log: Logger;
  /** The one clock: every part that reads the time gets this. */
  readonly now: Clock;
  readonly newId: () => string;
  /** Record keys for new residents (random by default). */
  readonly recordKey?: () => number;
  /** The HTTP client for Bot API calls (Node's runs on node:http; the Worker keeps grammY's, the platform's fetch). */
  readonly botApiFetch?: BotApiFetch;
  /** Processes sending from this database share each channel's limits (Node: the server and the CLI). */
  readonly sendShares?: SendShares;
  /** Workers: a broadcast started from the dashboard queues this many residents, the rest page by page (BroadcastQueues). */
  readonly broadcastPageSize?: number;
  /** Where each channel's sends ask for a slot (Workers: the channel's pacing Durable Object); a pacer of this process's own by default. */
  readonly pacing?: (sender: ChannelSender) => SendPacing;
  /** How partners' webhooks are checked and sent on this runtime (only ever to public addresses). */
  readonly webhooks: Pick<FeedDeps, "post" | "vet">;
  /** A QR code as SVG, for champions' pages and operators' downloads (both runtimes). */
  readonly qrSvg?: (text: string) => Promise<string>;
  /** A QR code as PNG, for operators' downloads (Node: pngjs; the Worker has none). */
  readonly qrPng?: (text: string) => Promise<Uint8Array>;
  /** The flows as they are now, linted and tested, for /dashboard/admin/flows (src/web/flows-view.ts). */
  readonly flowsGlance?: () => Promise<FlowsGlance>;
  /** A deeper database check for /healthz than the store's own ping. */
  readonly checkDatabase?: () => Promise<void>;
  /**
   * Where backups come from: `placevoice backup` of the SQLite file (Node), or the platform's own
   * history (D1 Time Travel), which status then does not ask for. Node's default reads DATABASE_URL.
   */
  readonly backups?: "sqlite-file" | "platform";
  /** When the whole service signposts from a directory imported in the dashboard (the page says so); "at once" by default. */
  readonly directoryTakesEffect?: string;
}

export interface ComposedServices {
  readonly conversation: ConversationService;
  readonly store: SqlConversationStore;
  readonly outbox: SqlOutboxStore;
  readonly directoryStore: PrismaDirectoryStore;
  readonly directory: DirectoryHolder;
  readonly partners: PartnerStore;
  readonly champions: ChampionStore;
  /** The clock every part of the service reads. */
  readonly now: Clock;
  readonly dispatcher: OutboxDispatcher;
  readonly bot: Bot | undefined;
  /** Outbox renderers of the channels that can send. */
  readonly renderers: ReadonlyMap<string, ReplyRenderer>;
  readonly updates: UpdateService;
  /** Groups writing to residents who asked them to get in touch (docs/relays.md). */
  readonly relays: RelayService;
  readonly relayStore: RelayStore;
  readonly feed: PartnerFeed;
  /** What this process counts for /metrics. */
  readonly metrics: ServiceMetrics;
  /** Checks the alert rules and tells the operators (present when ALERT_TELEGRAM_CHAT_ID or ALERT_WEBHOOK_URL is set). */
  readonly alerts: AlertMonitor | undefined;
  /** Broadcasts still being queued a page at a time (Workers). */
  readonly broadcastQueues: BroadcastQueues;
  /** Everything the HTTP app needs, channels included. */
  readonly appDeps: AppDeps;
}

/** Labels of choice options (theme ids) in one language, as the flows give them (English where a translation is missing). */
function themeLabelsOf(registry: FlowRegistry, language = "en"): Map<string, string> {
  const labels = new Map<string, string>();
  for (const flow of registry.flows.values()) {
    for (const node of flow.nodes) {
      if (node.type === "question" && (node.input.kind === "multi_choice" || node.input.kind === "single_choice")) {
        for (const o of node.input.options)
          if (!labels.has(o.id)) labels.set(o.id, o.label[language] ?? o.label.en ?? o.id);
      }
    }
  }
  return labels;
}

export function composeServices(input: ComposeInput): ComposedServices {
  const { config, prisma, addressCrypto, registry, log } = input;
  const metrics = new ServiceMetrics();
  const store = new SqlConversationStore(input.sql, prisma);
  const directoryStore = new PrismaDirectoryStore(prisma, input.sql);
  const directory = new DirectoryHolder(directoryStore, config.timezone, input.now);
  // Set below; UPDATES in a conversation reads the published updates through it.
  let updates: UpdateService | undefined;
  const partners = new PartnerStore(prisma, input.newId, input.now);
  const relayStore = new RelayStore(prisma, input.newId);
  // The host's settings, shared with the simulator's host (which keeps its relays with its
  // practice resident: none reaches a group).
  const conversationDeps: ConversationDeps = {
    store,
    registry,
    addressCrypto,
    settings: {
      privacyNoticeVersion: config.privacyNoticeVersion,
      languages: config.languages,
      organisationName: config.organisationName,
      variables: { privacy_url: config.privacyUrl, organisation: config.organisationName },
      // Welsh readers get the Welsh privacy page, and the Welsh name when there is one.
      languageVariables: {
        cy: {
          privacy_url: `${config.privacyUrl}?lang=cy`,
          ...(config.organisationNameCy ? { organisation: config.organisationNameCy } : {}),
        },
      },
    },
    now: input.now,
    newId: input.newId,
    ...(input.recordKey ? { recordKey: input.recordKey } : {}),
    log,
    directory: () => directory.current(),
    urgent: input.urgent,
    analyse: input.analyse,
    messagesPerMinute: config.contactRateLimit,
    updatesFor: (area, language) => updates!.summaryFor(area, language),
  };
  const conversation = new ConversationService({
    ...conversationDeps,
    relays: relayStore,
    audit: (actor, action, detail) => partners.audit(actor, action, detail),
  });
  const outbox = new SqlOutboxStore(input.sql, prisma);
  const bot = config.telegram ? createBot(config.telegram, input.botApiFetch) : undefined;
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
    now: input.now,
    ...(input.sendShares ? { shares: input.sendShares } : {}),
    ...(input.pacing ? { pacing: input.pacing } : {}),
    metrics,
  });
  const relays = new RelayService({
    relays: relayStore,
    conversation,
    renderers,
    quietHours: config.quietHours,
    timezone: config.timezone,
    weeklyLimit: config.relayWeeklyLimit,
    audit: (actor, action, detail) => partners.audit(actor, action, detail),
    now: input.now,
  });
  const champions = new ChampionStore(prisma, input.newId, input.now);
  const insightQueries = new InsightQueries(prisma, config.kThreshold, {
    onSuppressed: (cells) => metrics.suppressed.inc({ audience: "partners" }, cells),
  });
  const reach = new ReachQueries(prisma, insightQueries, config.kThreshold);
  const themeLabels = themeLabelsOf(registry);
  const themeLabel = (id: string) => themeLabels.get(id) ?? id;
  const welshLabels = themeLabelsOf(registry, "cy");
  const labelIn = (id: string, language?: string) =>
    (language === "cy" ? welshLabels.get(id) : themeLabels.get(id)) ?? id;
  updates = new UpdateService({
    prisma,
    conversation,
    renderers,
    queries: insightQueries,
    themeLabel: labelIn,
    threshold: config.kThreshold,
    organisationName: config.organisationName,
    ...(config.organisationNameCy ? { organisationNameCy: config.organisationNameCy } : {}),
    smsMaxSegments: config.smsMaxSegments,
    quietHours: config.quietHours,
    timezone: config.timezone,
    smallAudience: config.updateSmallAudience,
    now: input.now,
    newId: input.newId,
  });
  const feed = new PartnerFeed({
    prisma,
    queries: insightQueries,
    reach,
    updates,
    themeLabel,
    threshold: config.kThreshold,
    appSecret: input.secret,
    log,
    now: input.now,
    newId: input.newId,
    ...input.webhooks,
  });
  const alerts = config.alerts
    ? new AlertMonitor({
        prisma,
        now: input.now,
        log,
        rules: config.alerts,
        timezone: config.timezone,
        organisationName: config.organisationName,
        newId: input.newId,
        metrics,
        ...(bot && config.publicUrl ? { telegramWebhookInfo: () => bot.api.getWebhookInfo() } : {}),
        notify: alertNotifier(
          config.alerts,
          bot ? (chatId, text) => bot.api.sendMessage(Number(chatId), text) : undefined,
        ),
      })
    : undefined;
  // The names districts are known by ("ST6 Burslem"), from the imported directory's placevoice.yaml.
  const areaNames = async () => (await directoryStore.settings()).areaNames ?? {};
  const sessionSecret = createHash("sha256").update(`placevoice-dashboard-session:${input.secret}`).digest("base64url");
  // What every operator page signs in with.
  const operatorPages = {
    partners,
    sessionSecret,
    secureCookies: (config.publicUrl ?? "").startsWith("https://"),
    organisationName: config.organisationName,
    now: input.now,
  };
  const broadcastQueues = new BroadcastQueues(prisma, input.now);
  const appDeps: AppDeps = {
    store,
    log,
    requestIdsInLogs: config.logFormat === "json",
    ...(input.checkDatabase ? { checkDatabase: input.checkDatabase } : {}),
    insights: {
      partners,
      queries: insightQueries,
      themeLabel,
      threshold: config.kThreshold,
      requestsPerMinute: config.apiRateLimit,
      feed,
      areaNames,
      now: input.now,
      reach,
      metrics,
    },
    reach: {
      partners,
      queries: insightQueries,
      reach,
      themeLabel,
      threshold: config.kThreshold,
      sessionSecret,
      secureCookies: (config.publicUrl ?? "").startsWith("https://"),
      organisationName: config.organisationName,
      now: input.now,
      entryFlowId: config.entryFlow,
    },
    home: {
      organisationName: config.organisationName,
      ...(config.telegram?.username ? { telegramUsername: config.telegram.username } : {}),
      ...(config.twilio && config.twilio.from.startsWith("+") ? { smsNumber: config.twilio.from } : {}),
    },
    privacy: {
      organisationName: config.organisationName,
      ...(config.organisationNameCy ? { organisationNameCy: config.organisationNameCy } : {}),
      processors: [
        ...(config.telegram
          ? [
              {
                name: "Telegram",
                role: {
                  en: "carries messages sent and received on Telegram",
                  cy: "yn cario negeseuon a anfonir ac a dderbynnir ar Telegram",
                },
              },
            ]
          : []),
        ...(config.twilio
          ? [{ name: "Twilio", role: { en: "carries text messages (SMS)", cy: "yn cario negeseuon testun (SMS)" } }]
          : []),
        ...(config.llm
          ? [
              {
                name: config.llm.provider,
                role: {
                  en: "reads what you write, with personal details removed, to find its themes",
                  cy: "yn darllen yr hyn rydych chi'n ei ysgrifennu, heb fanylion personol, i ddod o hyd i'w themâu",
                },
              },
            ]
          : []),
      ],
      contact: config.privacyContact,
      version: config.privacyNoticeVersion,
      retentionDays: config.retentionDays,
      threshold: config.kThreshold,
    },
    dashboard: {
      partners,
      queries: insightQueries,
      themeLabel,
      threshold: config.kThreshold,
      sessionSecret,
      secureCookies: (config.publicUrl ?? "").startsWith("https://"),
      organisationName: config.organisationName,
      now: input.now,
      updates,
      feed,
      areaNames,
    },
    admin: {
      partners,
      sessionSecret,
      registry,
      outbox,
      now: input.now,
      status: () =>
        gatherStatus({
          prisma,
          outbox,
          now: input.now,
          ...(bot && config.publicUrl
            ? {
                telegramWebhookUrl: `${config.publicUrl}/webhooks/telegram`,
                telegramWebhookInfo: () => bot.api.getWebhookInfo(),
              }
            : {}),
          smsConfigured: Boolean(config.twilio),
          // A SQLite file is backed up with `placevoice backup`; D1 keeps its own history. The
          // Worker says so: its DATABASE_URL is unset, so the config's file: default would ask for one.
          expectBackups: input.backups
            ? input.backups === "sqlite-file"
            : (config.databaseUrl?.startsWith("file:") ?? false),
        }),
      metrics: () =>
        renderMetrics({
          prisma,
          now: input.now,
          memory: processMemory,
          service: metrics,
          directoryCheckedAt: () => directory.checkedAt(),
        }),
    },
    ...(input.flowsGlance
      ? { flowsView: { partners, sessionSecret, now: input.now, registry, glance: input.flowsGlance } }
      : {}),
    broadcasts: {
      ...operatorPages,
      registry,
      store,
      audienceTally: (query) => store.audienceTally(query),
      outbox,
      conversation,
      renderers,
      quietHours: config.quietHours,
      timezone: config.timezone,
      threshold: config.kThreshold,
      ...(input.broadcastPageSize ? { paged: { queues: broadcastQueues, pageSize: input.broadcastPageSize } } : {}),
    },
    relays: {
      relays,
      relayStore,
      partners,
      sessionSecret,
      secureCookies: (config.publicUrl ?? "").startsWith("https://"),
      registry,
      now: input.now,
    },
    championsAdmin: {
      champions,
      partners,
      sessionSecret,
      registry,
      kThreshold: config.kThreshold,
      publicUrl: config.publicUrl,
      share: (code: string) => shareLinks(code, config.telegram?.username, config.twilio?.from),
      ...(input.qrSvg ? { qrSvg: input.qrSvg } : {}),
      ...(input.qrPng ? { qrPng: input.qrPng } : {}),
      now: input.now,
    },
    directoryAdmin: {
      ...operatorPages,
      directoryStore,
      uploads: new DirectoryUploads(input.sql, input.now),
      reload: () => directory.reload({ force: true }),
      takesEffect: input.directoryTakesEffect ?? "at once",
    },
    simulator: {
      ...operatorPages,
      registry,
      languages: config.languages,
      smsMaxSegments: config.smsMaxSegments,
      // The same host as the channels', over the simulator's scratch store instead of the database.
      conversationOver: (scratch, relays) => new ConversationService({ ...conversationDeps, store: scratch, relays }),
    },
    themesReview: {
      reviews: new ThemeReviews(input.sql, input.now),
      partners,
      sessionSecret,
      themeLabel,
      now: input.now,
    },
    publicResults: {
      publicAreas: new PublicAreas(prisma, input.now),
      queries: new InsightQueries(prisma, config.publicKThreshold, {
        onSuppressed: (cells) => metrics.suppressed.inc({ audience: "public" }, cells),
      }),
      threshold: config.publicKThreshold,
      themeLabel: labelIn,
      updates,
      organisationName: config.organisationName,
      now: input.now,
      partners,
      sessionSecret,
      areaNames,
    },
    champions: {
      audit: (actor, action, detail) => partners.audit(actor, action, detail),
      champions,
      kThreshold: config.kThreshold,
      entryFlowId: config.entryFlow,
      organisationName: config.organisationName,
      themeLabel,
      now: input.now,
      share: (code: string) => shareLinks(code, config.telegram?.username, config.twilio?.from),
      ...(input.qrSvg ? { qrSvg: input.qrSvg } : {}),
      areasNeedingVoices: async () =>
        reach.leastHeardAreas(await insightQueries.resolvePeriod({ kind: "year" }, input.now()), 3),
    },
    ...(bot && config.telegram
      ? {
          telegram: {
            config: config.telegram,
            bot,
            conversation,
            dispatcher,
            store,
            addressCrypto,
            log,
            now: input.now,
            metrics,
          },
        }
      : {}),
    ...(config.twilio && config.publicUrl
      ? {
          sms: {
            config: config.twilio,
            publicUrl: config.publicUrl,
            maxSegments: config.smsMaxSegments,
            conversation,
            outbox,
            log,
            now: input.now,
            metrics,
          },
        }
      : {}),
  };
  return {
    conversation,
    store,
    outbox,
    directoryStore,
    directory,
    partners,
    champions,
    now: input.now,
    dispatcher,
    bot,
    renderers,
    updates,
    relays,
    relayStore,
    feed,
    metrics,
    alerts,
    broadcastQueues,
    appDeps,
  };
}
