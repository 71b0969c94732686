// `placevoice keys status | rotate [--dry-run] [--new-secret]`: which keys protect the stored
// addresses, and re-encryption under the current key.
import path from "node:path";
import { existsSync } from "node:fs";
import { replaceGeneratedSecret } from "../runtime-node/app-secret.js";
import { openNodeServices } from "../runtime-node/services.js";
import { sqlitePathFromUrl } from "../store/sqlite-file.js";
import { addressKeyUsage, rotateAddressKeys } from "../store/key-rotation.js";
import { cliConfig, cliLogger, type CliIO } from "./io.js";

const USAGE = `Usage:
  placevoice keys status                   stored addresses per key id
  placevoice keys rotate [--dry-run]       re-encrypt every address under APP_SECRET (the old secret in APP_SECRET_PREVIOUS)
  placevoice keys rotate --new-secret      with the generated secret (APP_SECRET unset): make a new one, keep the old
                                           in data/app-secret.previous for reading, and re-encrypt. Stop the server first.`;

export async function keysCommand(args: readonly string[], io: CliIO): Promise<number> {
  const [sub, ...flags] = args;
  if (sub !== "status" && sub !== "rotate") {
    io.err(USAGE);
    return 2;
  }
  const config = cliConfig(io);
  if (sub === "rotate" && flags.includes("--new-secret")) {
    if (config.appSecret) {
      io.err(
        "APP_SECRET is set, so there is no generated secret to replace. Put the new secret in APP_SECRET and the old one in APP_SECRET_PREVIOUS, restart the server, then run: placevoice keys rotate",
      );
      return 1;
    }
    const file = path.join(path.dirname(path.resolve(sqlitePathFromUrl(config.databaseUrl))), "app-secret");
    if (!existsSync(file)) {
      io.err(`No generated secret at ${file}: nothing to rotate yet.`);
      return 1;
    }
    replaceGeneratedSecret(file);
    io.out(
      `New secret written to ${file}; the old one is kept in ${file}.previous for reading. Back both up with the database.`,
    );
  }
  const services = await openNodeServices(config, { log: cliLogger("error", io), now: io.now });
  try {
    const crypto = services.addressCrypto;
    if (sub === "status") {
      const usage = await addressKeyUsage(services.prisma, crypto);
      io.out(
        `Current key: ${crypto.currentKeyId} (${services.secrets.previous.length} previous secret(s) accepted for reading)`,
      );
      if (usage.size === 0) io.out("No stored addresses.");
      for (const [kid, count] of usage)
        io.out(`  ${kid}: ${count} address(es)${kid === crypto.currentKeyId ? " (current)" : ""}`);
      return 0;
    }
    const report = await rotateAddressKeys(services.prisma, crypto, { dryRun: flags.includes("--dry-run") });
    const verb = report.dryRun ? "Would re-encrypt" : "Re-encrypted";
    io.out(
      `${verb} ${report.reEncrypted} address(es) under key ${report.keyId}; ${report.alreadyCurrent} already under it.`,
    );
    if (report.unreadable > 0)
      io.err(
        `${report.unreadable} address(es) are under a key that is not configured: add its secret to APP_SECRET_PREVIOUS and run this again.`,
      );
    if (report.conflicts > 0)
      io.err(`${report.conflicts} address(es) already had a newer contact under the current key; left as they are.`);
    if (report.unreadable === 0 && report.conflicts === 0 && !report.dryRun)
      io.out("Every address is under the current key: the previous secret can now be removed.");
    return report.unreadable > 0 || report.conflicts > 0 ? 1 : 0;
  } finally {
    await services.close();
  }
}
