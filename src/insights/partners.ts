// Partner organisations: a bearer token each (only its hash is stored), a set of areas they
// may see, revocable; and the audit log of what every partner asked for.
import type { Clock } from "../clock.js";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { PrismaClient } from "../generated/prisma/client.js";

export interface PartnerIdentity {
  readonly id: string;
  readonly name: string;
  /** Postcode districts; empty = every area. */
  readonly areas: readonly string[];
  /** Operators also see the dashboard's admin views (flows, outbox, dead letters, partners). */
  readonly role: PartnerRole;
  /** The local group (a directory service id) this account speaks for in relays (docs/relays.md). */
  readonly groupId?: string;
}

export type PartnerRole = "partner" | "operator";

const roleOf = (value: string): PartnerRole => (value === "operator" ? "operator" : "partner");

function identityOf(row: {
  id: string;
  name: string;
  areas: string;
  role: string;
  groupId: string | null;
}): PartnerIdentity {
  return {
    id: row.id,
    name: row.name,
    areas: JSON.parse(row.areas) as string[],
    role: roleOf(row.role),
    ...(row.groupId ? { groupId: row.groupId } : {}),
  };
}

export function hashPartnerToken(token: string): string {
  return createHash("sha256").update(`placevoice-partner:${token}`).digest("hex");
}

export class PartnerStore {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: () => string,
    private readonly now: Clock,
  ) {}

  /** A new token (returned once; only its hash is kept). Operators see every area. `actor` is who did it, for the audit log. */
  async create(
    name: string,
    areas: readonly string[],
    options: { role?: PartnerRole; actor?: string; groupId?: string } = {},
  ): Promise<{ partner: PartnerIdentity; token: string }> {
    const role = options.role ?? "partner";
    const token = `pv_${randomBytes(32).toString("base64url")}`;
    const id = this.newId();
    const clean = role === "operator" ? [] : [...new Set(areas.map((a) => a.trim().toUpperCase()).filter(Boolean))];
    await this.prisma.partner.create({
      data: {
        id,
        name,
        tokenHash: hashPartnerToken(token),
        areas: JSON.stringify(clean),
        role,
        groupId: options.groupId ?? null,
        createdAt: this.now(),
      },
    });
    await this.audit(options.actor ?? "operator (cli)", "partner.create", {
      partner: id,
      name,
      areas: clean,
      role,
      ...(options.groupId ? { group: options.groupId } : {}),
    });
    return {
      partner: { id, name, areas: clean, role, ...(options.groupId ? { groupId: options.groupId } : {}) },
      token,
    };
  }

  async revoke(idOrName: string, actor = "operator (cli)"): Promise<number> {
    const result = await this.prisma.partner.updateMany({
      where: { OR: [{ id: idOrName }, { name: idOrName }], revokedAt: null },
      data: { revokedAt: this.now() },
    });
    if (result.count > 0) await this.audit(actor, "partner.revoke", { partner: idOrName });
    return result.count;
  }

  async list(): Promise<
    {
      id: string;
      name: string;
      areas: string[];
      role: PartnerRole;
      groupId: string | null;
      revoked: boolean;
      createdAt: Date;
    }[]
  > {
    const rows = await this.prisma.partner.findMany({ orderBy: { createdAt: "asc" } });
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      areas: JSON.parse(r.areas) as string[],
      role: roleOf(r.role),
      groupId: r.groupId,
      revoked: r.revokedAt !== null,
      createdAt: r.createdAt,
    }));
  }

  /** The most recent audit entries, newest first. */
  async recentAudit(limit = 100): Promise<{ actor: string; action: string; detail: string; createdAt: Date }[]> {
    return this.prisma.auditEntry.findMany({
      orderBy: { createdAt: "desc" },
      take: limit,
      select: { actor: true, action: true, detail: true, createdAt: true },
    });
  }

  /** The partner a token belongs to, if it is valid and not revoked. */
  async authenticate(token: string): Promise<PartnerIdentity | null> {
    if (!/^pv_[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
    const hash = hashPartnerToken(token);
    const row = await this.prisma.partner.findUnique({ where: { tokenHash: hash } });
    if (!row || row.revokedAt !== null) return null;
    // Compare the stored hash too, in constant time (the index look-up is by hash already).
    if (!timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(hash))) return null;
    return identityOf(row);
  }

  async byId(id: string): Promise<PartnerIdentity | null> {
    const row = await this.prisma.partner.findUnique({ where: { id } });
    if (!row || row.revokedAt !== null) return null;
    return identityOf(row);
  }

  /**
   * Links an account to the local group it speaks for in relays (a directory service id), or
   * unlinks it (null). Returns how many active accounts matched.
   */
  async linkGroup(idOrName: string, groupId: string | null, actor = "operator (cli)"): Promise<number> {
    const result = await this.prisma.partner.updateMany({
      where: { OR: [{ id: idOrName }, { name: idOrName }], revokedAt: null },
      data: { groupId },
    });
    if (result.count > 0) await this.audit(actor, "partner.group", { partner: idOrName, group: groupId });
    return result.count;
  }

  /** A dashboard sign-in for `hours`: its id goes in the (signed) cookie; the row is what makes it valid. */
  async startSession(partnerId: string, hours: number): Promise<{ id: string; expiresAt: Date }> {
    const id = randomBytes(24).toString("base64url");
    const now = this.now();
    const expiresAt = new Date(now.getTime() + hours * 3_600_000);
    await this.prisma.dashboardSession.create({ data: { id, partnerId, createdAt: now, expiresAt } });
    return { id, expiresAt };
  }

  /** Who a session belongs to, while it is neither ended, expired nor its partner revoked; and why not, when not. */
  async sessionPartner(
    id: string,
  ): Promise<{ partner: PartnerIdentity } | { ended: "signed_out" | "expired" | "unknown" }> {
    const row = await this.prisma.dashboardSession.findUnique({ where: { id }, include: { partner: true } });
    if (!row || row.partner.revokedAt !== null) return { ended: "unknown" };
    if (row.endedAt !== null) return { ended: "signed_out" };
    if (row.expiresAt.getTime() <= this.now().getTime()) return { ended: "expired" };
    return { partner: identityOf(row.partner) };
  }

  /** Signing out: the session ends on the server, whoever still holds its cookie. */
  async endSession(id: string): Promise<void> {
    await this.prisma.dashboardSession.updateMany({ where: { id, endedAt: null }, data: { endedAt: this.now() } });
  }

  async audit(actor: string, action: string, detail: Record<string, unknown>): Promise<void> {
    await this.prisma.auditEntry.create({
      data: { id: this.newId(), actor, action, detail: JSON.stringify(detail), createdAt: this.now() },
    });
  }
}
