// Partner organisations: a bearer token each (only its hash is stored), a set of areas they
// may see, revocable; and the audit log of what every partner asked for.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";

export interface PartnerIdentity {
  readonly id: string;
  readonly name: string;
  /** Postcode districts; empty = every area. */
  readonly areas: readonly string[];
}

export function hashPartnerToken(token: string): string {
  return createHash("sha256").update(`placevoice-partner:${token}`).digest("hex");
}

export class PartnerStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: () => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(name: string, areas: readonly string[]): Promise<{ partner: PartnerIdentity; token: string }> {
    const token = `pv_${randomBytes(32).toString("base64url")}`;
    const id = this.newId();
    const clean = [...new Set(areas.map((a) => a.trim().toUpperCase()).filter(Boolean))];
    await this.prisma.partner.create({ data: { id, name, tokenHash: hashPartnerToken(token), areas: JSON.stringify(clean) } });
    await this.audit("operator", "partner.create", { partner: id, name, areas: clean });
    return { partner: { id, name, areas: clean }, token };
  }

  async revoke(idOrName: string): Promise<number> {
    const result = await this.prisma.partner.updateMany({ where: { OR: [{ id: idOrName }, { name: idOrName }], revokedAt: null }, data: { revokedAt: this.now() } });
    if (result.count > 0) await this.audit("operator", "partner.revoke", { partner: idOrName });
    return result.count;
  }

  async list(): Promise<{ id: string; name: string; areas: string[]; revoked: boolean; createdAt: Date }[]> {
    const rows = await this.prisma.partner.findMany({ orderBy: { createdAt: "asc" } });
    return rows.map((r) => ({ id: r.id, name: r.name, areas: JSON.parse(r.areas) as string[], revoked: r.revokedAt !== null, createdAt: r.createdAt }));
  }

  /** The partner a token belongs to, if it is valid and not revoked. */
  async authenticate(token: string): Promise<PartnerIdentity | null> {
    if (!/^pv_[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const hash = hashPartnerToken(token);
    const row = await this.prisma.partner.findUnique({ where: { tokenHash: hash } });
    if (!row || row.revokedAt !== null) return null;
    // Compare the stored hash too, in constant time (the index look-up is by hash already).
    if (!timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))) return null;
    return { id: row.id, name: row.name, areas: JSON.parse(row.areas) as string[] };
  }

  async byId(id: string): Promise<PartnerIdentity | null> {
    const row = await this.prisma.partner.findUnique({ where: { id } });
    if (!row || row.revokedAt !== null) return null;
    return { id: row.id, name: row.name, areas: JSON.parse(row.areas) as string[] };
  }

  async audit(actor: string, action: string, detail: Record<string, unknown>): Promise<void> {
    await this.prisma.auditEntry.create({ data: { id: this.newId(), actor, action, detail: JSON.stringify(detail), createdAt: this.now() } });
  }
}
