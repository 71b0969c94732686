// Configuration is read once, at an entry point, from a plain record of strings (process.env
// on Node, bindings on Workers), validated here and passed down. Nothing else reads the
// environment.
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: z.string().default("file:./data/placevoice.db"),
  APP_SECRET: optionalString.pipe(z.string().min(32, "APP_SECRET must be at least 32 characters (use `openssl rand -hex 32`)").optional()),
  PUBLIC_URL: optionalString.pipe(z.url({ message: "PUBLIC_URL must be a URL such as https://placevoice.example.org" }).optional()),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  FLOWS_DIR: optionalString,
  ENTRY_FLOW: z.string().default("priorities"),
  HELP_FLOW: z.string().default("help"),
  LANGUAGES: z
    .string()
    .default("en,cy")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[a-z]{2,3}$/, "LANGUAGES is a comma-separated list of language codes, e.g. en,cy")).min(1)),
  PRIVACY_NOTICE_VERSION: z.string().min(1).default("2026-11"),
  ORGANISATION_NAME: z.string().min(1).default("PlaceVoice"),
});

export type Config = {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly appSecret: string | undefined;
  readonly publicUrl: string | undefined;
  readonly logLevel: "debug" | "info" | "warn" | "error" | "silent";
  /** Folder of flow files; unset means the flows shipped with PlaceVoice. */
  readonly flowsDir: string | undefined;
  readonly entryFlow: string;
  readonly helpFlow: string;
  readonly languages: readonly string[];
  readonly privacyNoticeVersion: string;
  readonly organisationName: string;
  /** Where the privacy notice is published; texts refer to it as {privacy_url}. */
  readonly privacyUrl: string;
};

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`));
  }
  const e = parsed.data;
  const publicUrl = e.PUBLIC_URL?.replace(/\/+$/, "");
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    appSecret: e.APP_SECRET,
    publicUrl,
    logLevel: e.LOG_LEVEL,
    flowsDir: e.FLOWS_DIR,
    entryFlow: e.ENTRY_FLOW,
    helpFlow: e.HELP_FLOW,
    languages: e.LANGUAGES,
    privacyNoticeVersion: e.PRIVACY_NOTICE_VERSION,
    organisationName: e.ORGANISATION_NAME,
    privacyUrl: `${publicUrl ?? `http://localhost:${e.PORT}`}/privacy`,
  };
}
