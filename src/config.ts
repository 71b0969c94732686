// Configuration is read once, at an entry point, from a plain record of strings (process.env
// on Node, bindings on Workers), validated here and passed down. Nothing else reads the
// environment.
import * as z from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().default("file:./data/placevoice.db"),
  APP_SECRET: optionalString.pipe(
    z.string().min(32, "APP_SECRET must be at least 32 characters (use `openssl rand -hex 32`)").optional(),
  ),
  APP_SECRET_PREVIOUS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .min(32, "APP_SECRET_PREVIOUS holds earlier APP_SECRET values, comma-separated, each at least 32 characters"),
      ),
    ),
  UPDATE_SMALL_AUDIENCE: z.enum(["send", "refuse"]).default("send"),
  /** Most messages from local groups (relays) one resident receives in 7 days; more are refused to the group. */
  RELAY_WEEKLY_LIMIT: z.coerce.number().int().min(1).max(100).default(3),
  CONTACT_RATE_LIMIT: z.coerce.number().int().min(1).max(10_000).default(20),
  API_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(120),
  PUBLIC_URL: optionalString.pipe(
    z.url({ message: "PUBLIC_URL must be a URL such as https://placevoice.example.org" }).optional(),
  ),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["text", "json"]).default("text"),
  FLOWS_DIR: optionalString,
  ENTRY_FLOW: z.string().default("priorities"),
  HELP_FLOW: z.string().default("help"),
  LANGUAGES: z
    .string()
    .default("en,cy")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.string().regex(/^[a-z]{2,3}$/, "LANGUAGES is a comma-separated list of language codes, e.g. en,cy"))
        .min(1),
    ),
  PRIVACY_NOTICE_VERSION: z.string().min(1).default("2026-11"),
  ORGANISATION_NAME: z.string().min(1).default("PlaceVoice"),
  /** The organisation's name as Welsh speakers know it ("Cyngor Gwynedd"); Welsh texts are worded so it needs no mutation. */
  ORGANISATION_NAME_CY: optionalString,
  K_THRESHOLD: z.coerce.number().int().min(2).max(1000).default(10),
  PUBLIC_K_THRESHOLD: z.coerce.number().int().min(2).max(1000).optional(),
  SERVICES_DIRECTORY: optionalString,
  RETENTION_DAYS: z.coerce.number().int().min(30).max(3650).default(730),
  LLM_PROVIDER: optionalString,
  LLM_API_KEY: optionalString,
  LLM_BASE_URL: optionalString,
  LLM_MODEL: optionalString,
  PRIVACY_CONTACT: z
    .string()
    .min(1)
    .default("Write to the data protection officer of the organisation that runs this service."),

  TELEGRAM_BOT_TOKEN: optionalString.pipe(
    z
      .string()
      .regex(
        /^\d+:[A-Za-z0-9_-]{20,}$/,
        "TELEGRAM_BOT_TOKEN looks wrong: it is <bot id>:<secret> as BotFather gives it",
      )
      .optional(),
  ),
  TELEGRAM_WEBHOOK_SECRET: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,256}$/, "TELEGRAM_WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and -")
      .optional(),
  ),
  TELEGRAM_BOT_USERNAME: optionalString.pipe(
    z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{3,31}$/, "TELEGRAM_BOT_USERNAME is the bot's @name without the @")
      .optional(),
  ),
  TELEGRAM_API_ROOT: z.url().default("https://api.telegram.org"),
  TELEGRAM_MAX_PER_SECOND: z.coerce.number().positive().default(30),
  TELEGRAM_MAX_PER_CHAT_PER_SECOND: z.coerce.number().positive().default(1),

  TWILIO_ACCOUNT_SID: optionalString.pipe(
    z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, "TWILIO_ACCOUNT_SID starts with AC followed by 32 hex digits")
      .optional(),
  ),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_FROM: optionalString.pipe(
    z
      .string()
      .regex(
        /^(\+[1-9]\d{6,14}|MG[0-9a-fA-F]{32})$/,
        "TWILIO_FROM is an E.164 number (+447700900123) or a Messaging Service SID (MG…)",
      )
      .optional(),
  ),
  TWILIO_API_BASE: z.url().default("https://api.twilio.com"),
  TWILIO_MAX_PER_SECOND: z.coerce.number().positive().default(1),
  /** Twilio's Advanced Opt-Out answers STOP itself; then PlaceVoice stays quiet. */
  TWILIO_ADVANCED_OPT_OUT: z
    .enum(["true", "false", "1", "0"])
    .default("false")
    .transform((v) => v === "true" || v === "1"),
  SMS_MAX_SEGMENTS: z.coerce.number().int().min(1).max(10).default(3),

  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  QUIET_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'QUIET_HOURS is "HH:MM-HH:MM", e.g. 21:00-09:00')
    .default("21:00-09:00"),
  TIMEZONE: z.string().default("Europe/London"),
  /** Hosts partners' webhooks may reach although they are not public (operators' local testing only). */
  WEBHOOK_ALLOW_HOSTS: z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Where alerts go: an operators' Telegram chat (through the bot) and/or a URL that takes a JSON post. */
  ALERT_TELEGRAM_CHAT_ID: optionalString.pipe(
    z
      .string()
      .regex(/^-?\d{1,20}$/, "ALERT_TELEGRAM_CHAT_ID is a chat id, such as -1001234567890 for a group")
      .optional(),
  ),
  ALERT_WEBHOOK_URL: optionalString.pipe(
    z.url({ message: "ALERT_WEBHOOK_URL must be a URL such as https://hooks.example.org/placevoice" }).optional(),
  ),
  ALERT_DEAD_LETTERS: z.coerce.number().int().min(0).default(1),
  ALERT_WEBHOOK_ERRORS: z.coerce.number().int().min(0).default(5),
  ALERT_NO_INBOUND_HOURS: z.coerce.number().min(0).default(0),
  ALERT_DAY_HOURS: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, 'ALERT_DAY_HOURS is "HH:MM-HH:MM", e.g. 08:00-20:00')
    .default("08:00-20:00"),
  ALERT_OUTBOX_MINUTES: z.coerce.number().min(0).default(15),
  ALERT_REPEAT_MINUTES: z.coerce.number().min(1).default(60),
});

/** When operators are told that something needs them (src/ops/alerts.ts); 0 turns a rule off. */
export interface AlertConfig {
  readonly telegramChatId: string | undefined;
  readonly webhookUrl: string | undefined;
  /** Dead letters in the outbox at which to alert. */
  readonly deadLetters: number;
  /** Failed webhook requests (5xx) within ten minutes at which to alert; Telegram's own delivery errors always count. */
  readonly webhookErrors: number;
  /** Hours without an inbound message, checked only within `dayHours` (local time). */
  readonly noInboundHours: number;
  readonly dayHours: { readonly start: string; readonly end: string };
  /** Minutes a due message may wait unsent. */
  readonly outboxMinutes: number;
  /** The least time between two messages about the same rule (a rule that clears and trips again). */
  readonly repeatMinutes: number;
}

export type Config = {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly appSecret: string | undefined;
  /** Earlier secrets, still accepted for reading addresses during a key rotation. */
  readonly previousAppSecrets: readonly string[];
  /** A "you said, we did" update that would reach fewer residents than K_THRESHOLD: sent anyway (the count is never shown) or refused. */
  readonly updateSmallAudience: "send" | "refuse";
  /** Most messages from local groups one resident receives in 7 days (RELAY_WEEKLY_LIMIT). */
  readonly relayWeeklyLimit: number;
  /** Messages per minute one resident may send; the excess is politely refused and not processed. */
  readonly contactRateLimit: number;
  /** Requests per minute per partner token on the API and dashboard. */
  readonly apiRateLimit: number;
  readonly publicUrl: string | undefined;
  readonly logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** `json`: one JSON object per log line, with the request id of the request it belongs to. */
  readonly logFormat: "text" | "json";
  /** Folder of flow files; unset means the flows shipped with PlaceVoice. */
  readonly flowsDir: string | undefined;
  readonly entryFlow: string;
  readonly helpFlow: string;
  readonly languages: readonly string[];
  readonly privacyNoticeVersion: string;
  readonly organisationName: string;
  readonly organisationNameCy: string | undefined;
  /** Smallest count ever published; anything below shows as "fewer than K". */
  readonly kThreshold: number;
  /** The smallest count on public pages (/results): K_THRESHOLD or stricter. */
  readonly publicKThreshold: number;
  /** Directory imported on first start when the database has no services: a path, "none", or unset for the shipped sample. */
  readonly servicesDirectory: string | undefined;
  /** After this many days answers are anonymised (contact link removed, free text only redacted). */
  readonly retentionDays: number;
  /** Optional chat model for theme tagging (redaction never uses it). */
  readonly llm:
    | {
        readonly provider: string;
        readonly apiKey: string | undefined;
        readonly baseUrl: string | undefined;
        readonly model: string | undefined;
      }
    | undefined;
  readonly privacyContact: string;
  /** Where the privacy notice is published; texts refer to it as {privacy_url}. */
  readonly privacyUrl: string;
  /** Set when Telegram is configured (token and webhook secret). */
  readonly telegram: TelegramConfig | undefined;
  /** Set when SMS is configured (account, token and sender). */
  readonly twilio: TwilioConfig | undefined;
  readonly smsMaxSegments: number;
  readonly outboxMaxAttempts: number;
  readonly quietHours: { readonly start: string; readonly end: string };
  readonly timezone: string;
  /** Why a channel is off, in one line for the start-up log. */
  readonly disabledChannels: readonly string[];
  /** Hosts partners' webhooks may reach although they are not public addresses (WEBHOOK_ALLOW_HOSTS). */
  readonly webhookAllowHosts: readonly string[];
  /** Present when operators have somewhere to be told (ALERT_TELEGRAM_CHAT_ID or ALERT_WEBHOOK_URL). */
  readonly alerts: AlertConfig | undefined;
  /** Variables that are set but change nothing, because the ones they go with are missing: one line each. */
  readonly warnings: readonly string[];
};

export interface TelegramConfig {
  readonly token: string;
  readonly webhookSecret: string;
  readonly username: string | undefined;
  readonly apiRoot: string;
  readonly maxPerSecond: number;
  readonly maxPerChatPerSecond: number;
}

export interface TwilioConfig {
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string;
  readonly apiBase: string;
  readonly maxPerSecond: number;
  readonly advancedOptOut: boolean;
}

/** What the configuration is missing or gets wrong: one line per variable, each saying what right looks like. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

// Variables that only do something together with others.
const PARTNERS: readonly {
  readonly needs: readonly string[];
  readonly what: string;
  readonly vars: readonly string[];
}[] = [
  {
    needs: ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"],
    what: "Telegram is off",
    vars: ["TELEGRAM_BOT_USERNAME", "TELEGRAM_API_ROOT", "TELEGRAM_MAX_PER_SECOND", "TELEGRAM_MAX_PER_CHAT_PER_SECOND"],
  },
  {
    needs: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"],
    what: "SMS is off",
    vars: ["TWILIO_API_BASE", "TWILIO_MAX_PER_SECOND", "TWILIO_ADVANCED_OPT_OUT"],
  },
  { needs: ["LLM_PROVIDER"], what: "no LLM is configured", vars: ["LLM_API_KEY", "LLM_BASE_URL", "LLM_MODEL"] },
];
const ALERT_RULES = [
  "ALERT_DEAD_LETTERS",
  "ALERT_WEBHOOK_ERRORS",
  "ALERT_NO_INBOUND_HOURS",
  "ALERT_DAY_HOURS",
  "ALERT_OUTBOX_MINUTES",
  "ALERT_REPEAT_MINUTES",
];

function unusedVariables(set: Readonly<Record<string, unknown>>): string[] {
  const idleAlerts = ALERT_RULES.filter((v) => v in set);
  const alertWarning =
    idleAlerts.length > 0 && !("ALERT_TELEGRAM_CHAT_ID" in set) && !("ALERT_WEBHOOK_URL" in set)
      ? [
          `${idleAlerts.join(", ")} ${idleAlerts.length === 1 ? "is" : "are"} set but alerts go nowhere: set ALERT_TELEGRAM_CHAT_ID or ALERT_WEBHOOK_URL too`,
        ]
      : [];
  return alertWarning.concat(
    PARTNERS.flatMap(({ needs, what, vars }) => {
      const missing = needs.filter((n) => !(n in set));
      // (A partner half-set, such as a webhook secret without its bot token, has no effect either.)
      const idle = [...needs, ...vars].filter((v) => v in set);
      if (missing.length === 0 || idle.length === 0) return [];
      return [
        `${idle.join(", ")} ${idle.length === 1 ? "is" : "are"} set but ${what}: set ${missing.join(" and ")} too, or unset ${idle.length === 1 ? "it" : "them"}`,
      ];
    }),
  );
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map(describeIssue));
  }
  const e = parsed.data;
  const publicUrl = e.PUBLIC_URL?.replace(/\/+$/, "");
  const problems: string[] = [];
  const disabledChannels: string[] = [];
  let telegram: TelegramConfig | undefined;
  if (e.TELEGRAM_BOT_TOKEN && !e.TELEGRAM_WEBHOOK_SECRET) {
    problems.push(
      "TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_BOT_TOKEN, so forged updates can be refused (e.g. `openssl rand -hex 32`)",
    );
  } else if (e.TELEGRAM_BOT_TOKEN && e.TELEGRAM_WEBHOOK_SECRET) {
    telegram = {
      token: e.TELEGRAM_BOT_TOKEN,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
      username: e.TELEGRAM_BOT_USERNAME,
      apiRoot: e.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
      maxPerSecond: e.TELEGRAM_MAX_PER_SECOND,
      maxPerChatPerSecond: e.TELEGRAM_MAX_PER_CHAT_PER_SECOND,
    };
  } else {
    disabledChannels.push("telegram: set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET to enable it");
  }
  if (e.PUBLIC_K_THRESHOLD !== undefined && e.PUBLIC_K_THRESHOLD < e.K_THRESHOLD)
    problems.push(
      `PUBLIC_K_THRESHOLD: must be at least K_THRESHOLD (${e.K_THRESHOLD}); public pages may be stricter, never looser`,
    );
  let twilio: TwilioConfig | undefined;
  const twilioParts = [e.TWILIO_ACCOUNT_SID, e.TWILIO_AUTH_TOKEN, e.TWILIO_FROM];
  if (twilioParts.every(Boolean)) {
    if (!publicUrl) problems.push("PUBLIC_URL: required with Twilio, to check the signature on the URL Twilio calls");
    twilio = {
      accountSid: e.TWILIO_ACCOUNT_SID!,
      authToken: e.TWILIO_AUTH_TOKEN!,
      from: e.TWILIO_FROM!,
      apiBase: e.TWILIO_API_BASE.replace(/\/+$/, ""),
      maxPerSecond: e.TWILIO_MAX_PER_SECOND,
      advancedOptOut: e.TWILIO_ADVANCED_OPT_OUT,
    };
  } else if (twilioParts.some(Boolean)) {
    problems.push("TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM: set all three to enable SMS, or none");
  } else {
    disabledChannels.push("sms: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and PUBLIC_URL to enable it");
  }
  if (e.ALERT_TELEGRAM_CHAT_ID && !telegram)
    problems.push("ALERT_TELEGRAM_CHAT_ID: alerts to Telegram go through the bot: set TELEGRAM_BOT_TOKEN too");
  if (problems.length > 0) throw new ConfigError(problems);
  const [quietStart, quietEnd] = e.QUIET_HOURS.split("-") as [string, string];
  const [dayStart, dayEnd] = e.ALERT_DAY_HOURS.split("-") as [string, string];
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    appSecret: e.APP_SECRET,
    previousAppSecrets: e.APP_SECRET_PREVIOUS,
    contactRateLimit: e.CONTACT_RATE_LIMIT,
    updateSmallAudience: e.UPDATE_SMALL_AUDIENCE,
    relayWeeklyLimit: e.RELAY_WEEKLY_LIMIT,
    apiRateLimit: e.API_RATE_LIMIT,
    publicUrl,
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    flowsDir: e.FLOWS_DIR,
    entryFlow: e.ENTRY_FLOW,
    helpFlow: e.HELP_FLOW,
    languages: e.LANGUAGES,
    privacyNoticeVersion: e.PRIVACY_NOTICE_VERSION,
    organisationName: e.ORGANISATION_NAME,
    organisationNameCy: e.ORGANISATION_NAME_CY,
    kThreshold: e.K_THRESHOLD,
    publicKThreshold: e.PUBLIC_K_THRESHOLD ?? e.K_THRESHOLD,
    servicesDirectory: e.SERVICES_DIRECTORY,
    retentionDays: e.RETENTION_DAYS,
    llm: e.LLM_PROVIDER
      ? { provider: e.LLM_PROVIDER, apiKey: e.LLM_API_KEY, baseUrl: e.LLM_BASE_URL, model: e.LLM_MODEL }
      : undefined,
    privacyContact: e.PRIVACY_CONTACT,
    privacyUrl: `${publicUrl ?? `http://localhost:${e.PORT}`}/privacy`,
    telegram,
    twilio,
    smsMaxSegments: e.SMS_MAX_SEGMENTS,
    outboxMaxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    quietHours: { start: quietStart, end: quietEnd },
    timezone: e.TIMEZONE,
    disabledChannels,
    webhookAllowHosts: e.WEBHOOK_ALLOW_HOSTS,
    alerts:
      e.ALERT_TELEGRAM_CHAT_ID || e.ALERT_WEBHOOK_URL
        ? {
            telegramChatId: e.ALERT_TELEGRAM_CHAT_ID,
            webhookUrl: e.ALERT_WEBHOOK_URL,
            deadLetters: e.ALERT_DEAD_LETTERS,
            webhookErrors: e.ALERT_WEBHOOK_ERRORS,
            noInboundHours: e.ALERT_NO_INBOUND_HOURS,
            dayHours: { start: dayStart, end: dayEnd },
            outboxMinutes: e.ALERT_OUTBOX_MINUTES,
            repeatMinutes: e.ALERT_REPEAT_MINUTES,
          }
        : undefined,
    warnings: unusedVariables(set),
  };
}

/** A schema problem as one line: the variable, what is wrong, and (from the schema's message) what right looks like. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.join(".") || "environment";
  // Messages written for this schema already name the variable and give an example.
  if (issue.message.startsWith(name)) return issue.message;
  const expected: Record<string, string> = {
    PORT: "a port number such as 8080",
    CONTACT_RATE_LIMIT: "a whole number of messages a minute, such as 20",
    API_RATE_LIMIT: "a whole number of requests a minute, such as 120",
    K_THRESHOLD: "a whole number of at least 2, such as 10",
    PUBLIC_K_THRESHOLD: "a whole number of at least K_THRESHOLD, such as 20",
    RETENTION_DAYS: "a number of days from 30 to 3650, such as 730",
    SMS_MAX_SEGMENTS: "a whole number from 1 to 10, such as 3",
    OUTBOX_MAX_ATTEMPTS: "a whole number from 1 to 50, such as 8",
    TELEGRAM_API_ROOT: "a URL such as https://api.telegram.org",
    TWILIO_API_BASE: "a URL such as https://api.twilio.com",
    TELEGRAM_MAX_PER_SECOND: "a positive number such as 30",
    TELEGRAM_MAX_PER_CHAT_PER_SECOND: "a positive number such as 1",
    TWILIO_MAX_PER_SECOND: "a positive number such as 1",
    LOG_LEVEL: "one of debug, info, warn, error, silent",
    LOG_FORMAT: "text or json",
    ALERT_DEAD_LETTERS: "a whole number of dead letters, such as 1 (0: off)",
    ALERT_WEBHOOK_ERRORS: "a whole number of failed webhook requests in ten minutes, such as 5 (0: off)",
    ALERT_NO_INBOUND_HOURS: "a number of hours, such as 6 (0: off)",
    ALERT_OUTBOX_MINUTES: "a number of minutes, such as 15 (0: off)",
    ALERT_REPEAT_MINUTES: "a number of minutes of at least 1, such as 60",
    UPDATE_SMALL_AUDIENCE: "send or refuse",
    TWILIO_ADVANCED_OPT_OUT: "true or false",
  };
  return expected[name] ? `${name}: expected ${expected[name]}` : `${name}: ${issue.message}`;
}
