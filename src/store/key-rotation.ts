// `placevoice keys rotate`: re-encrypts every stored address under the current key and moves
// its look-up hash to the current key, in batches, so the previous secret can be retired.
// Reading needs the previous secret to be configured (APP_SECRET_PREVIOUS or the generated
// `app-secret.previous`); rows that no configured key can read are counted, never dropped.
import type { PrismaClient } from "../generated/prisma/client.js";
import type { AddressCrypto } from "./address-crypto.js";

export interface RotationReport {
  readonly keyId: string;
  readonly reEncrypted: number;
  readonly alreadyCurrent: number;
  /** Encrypted under a key that is not configured: left as they are. */
  readonly unreadable: number;
  /** Another contact already holds the current hash for the same address: left for the operator. */
  readonly conflicts: number;
  readonly dryRun: boolean;
}

export async function rotateAddressKeys(
  prisma: PrismaClient,
  crypto: AddressCrypto,
  options: { dryRun?: boolean; batchSize?: number } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const dryRun = options.dryRun ?? false;
  const currentPrefix = `v1.${crypto.currentKeyId}.`;
  let reEncrypted = 0;
  let unreadable = 0;
  let conflicts = 0;
  const alreadyCurrent = await prisma.contact.count({ where: { addressEnc: { startsWith: currentPrefix } } });
  let cursor: string | undefined;
  for (;;) {
    const rows = await prisma.contact.findMany({
      where: { NOT: { addressEnc: { startsWith: currentPrefix } }, ...(cursor ? { id: { gt: cursor } } : {}) },
      select: { id: true, channel: true, addressEnc: true },
      orderBy: { id: "asc" },
      take: batchSize,
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    for (const row of rows) {
      let address: string;
      try {
        address = await crypto.decrypt(row.addressEnc);
      } catch {
        unreadable++;
        continue;
      }
      if (dryRun) {
        reEncrypted++;
        continue;
      }
      const [addressHash, addressEnc] = await Promise.all([crypto.hash(row.channel, address), crypto.encrypt(address)]);
      try {
        // Only if nobody changed the row meanwhile (a server re-keying it on an inbound message).
        const updated = await prisma.contact.updateMany({
          where: { id: row.id, addressEnc: row.addressEnc },
          data: { addressHash, addressEnc },
        });
        if (updated.count > 0) reEncrypted++;
      } catch (error) {
        if ((error as { code?: string }).code !== "P2002") throw error;
        conflicts++;
      }
    }
  }
  return { keyId: crypto.currentKeyId, reEncrypted, alreadyCurrent, unreadable, conflicts, dryRun };
}

/** How many stored addresses are under each key id: what `placevoice keys status` shows. */
export async function addressKeyUsage(prisma: PrismaClient, crypto: AddressCrypto): Promise<Map<string, number>> {
  const usage = new Map<string, number>();
  let cursor: string | undefined;
  for (;;) {
    const rows = await prisma.contact.findMany({
      select: { id: true, addressEnc: true },
      orderBy: { id: "asc" },
      take: 2000,
      ...(cursor ? { where: { id: { gt: cursor } } } : {}),
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    for (const row of rows) {
      const kid = crypto.keyIdOf(row.addressEnc) ?? "unknown";
      usage.set(kid, (usage.get(kid) ?? 0) + 1);
    }
  }
  return usage;
}
