// APP_SECRET protects every stored address. When the operator has not set one, a random
// secret is generated once into the data folder (mode 0600) so a first run needs no set-up;
// it must then be backed up with the database, which is why a warning is logged.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../log.js";

export function ensureAppSecret(configured: string | undefined, dataDir: string, log: Logger): string {
  if (configured) return configured;
  const file = path.join(dataDir, "app-secret");
  if (existsSync(file)) {
    log.warn("APP_SECRET not set: using the generated secret in the data folder", { file });
    return readFileSync(file, "utf8").trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("hex");
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch {
    // Another process created it first: use theirs.
    return readFileSync(file, "utf8").trim();
  }
  log.warn("APP_SECRET not set: generated one; back it up with the database, or set APP_SECRET", { file });
  return secret;
}
