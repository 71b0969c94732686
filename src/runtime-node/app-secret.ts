// APP_SECRET protects every stored address. When the operator has not set one, a random
// secret is generated once into the data folder (mode 0600) so a first run needs no set-up;
// it must then be backed up with the database, which is why a warning is logged.
// During a key rotation the earlier secrets stay readable: APP_SECRET_PREVIOUS, or for the
// generated secret, `app-secret.previous` next to it (one per line).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../log.js";

export interface AppSecrets {
  readonly current: string;
  readonly previous: readonly string[];
  /** The generated file in use, when APP_SECRET is not set. */
  readonly file?: string;
}

const lines = (file: string): string[] =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
    : [];

export function ensureAppSecrets(
  configured: string | undefined,
  previous: readonly string[],
  dataDir: string,
  log: Logger,
): AppSecrets {
  if (configured) return { current: configured, previous };
  const file = path.join(dataDir, "app-secret");
  const fromFile = () => ({
    current: readFileSync(file, "utf8").trim(),
    previous: [...previous, ...lines(`${file}.previous`)],
    file,
  });
  if (existsSync(file)) {
    log.warn("APP_SECRET not set: using the generated secret in the data folder", { file });
    return fromFile();
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch {
    // Another process created it first: use theirs.
    return fromFile();
  }
  log.warn("APP_SECRET not set: generated one; back it up with the database, or set APP_SECRET", { file });
  return { current: secret, previous, file };
}

/**
 * Replaces the generated secret with a new one; the old one moves to `app-secret.previous`
 * so what was written under it stays readable until it is re-encrypted.
 */
export function replaceGeneratedSecret(file: string): string {
  const old = readFileSync(file, "utf8").trim();
  const previous = lines(`${file}.previous`);
  writeFileSync(`${file}.previous`, `${[old, ...previous.filter((p) => p !== old)].join("\n")}\n`, { mode: 0o600 });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(`${file}.new`, `${secret}\n`, { mode: 0o600 });
  renameSync(`${file}.new`, file);
  return secret;
}
