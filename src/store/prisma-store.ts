// ConversationStore on Prisma. One engine step is one transaction: the session moves, the
// answers are stored and the contact changes together, or none of them do.
import type { AnswerValue, SessionState } from "../engine/types.js";
import { Prisma, type PrismaClient } from "../generated/prisma/client.js";
import { isoWeek } from "../insights/week.js";
import { RESPONDENT_KEY, addRespondentCount, addThemeCount } from "../insights/rollups.js";
import type { AnswerRecord, AudienceQuery, CommitResult, ContactRecord, ConversationStore, NewContact, SessionRecord, StepCommit } from "./types.js";

class VersionConflict extends Error {}

function isUniqueViolation(error: unknown, field?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") return false;
  if (!field) return true;
  const target = JSON.stringify(error.meta ?? {});
  return target.includes(field);
}

type ContactRow = Prisma.ContactGetPayload<object>;

export function toContactRecord(row: ContactRow): ContactRecord {
  return {
    id: row.id,
    channel: row.channel,
    addressHash: row.addressHash,
    language: row.language,
    status: row.status === "stopped" ? "stopped" : "active",
    consentVersion: row.consentVersion,
    consentAt: row.consentAt,
    consentRefusedVersion: row.consentRefusedVersion,
    consentRefusedAt: row.consentRefusedAt,
    area: row.area,
    attribution: row.attribution,
    createdAt: row.createdAt,
  };
}

export class PrismaConversationStore implements ConversationStore {
  constructor(private readonly prisma: PrismaClient) {}

  async findOrCreateContact(contact: NewContact): Promise<ContactRecord> {
    const row = await this.prisma.contact.upsert({
      where: { channel_addressHash: { channel: contact.channel, addressHash: contact.addressHash } },
      create: { ...contact },
      update: {},
    });
    return toContactRecord(row);
  }

  async rekeyContact(channel: string, previousHashes: readonly string[], addressHash: string, addressEnc: string): Promise<boolean> {
    if (previousHashes.length === 0) return false;
    try {
      const result = await this.prisma.contact.updateMany({ where: { channel, addressHash: { in: [...previousHashes] } }, data: { addressHash, addressEnc } });
      return result.count > 0;
    } catch (error) {
      // Already a contact under the current hash (created by a server that had the new key
      // first): leave the old row for `placevoice keys rotate` to report.
      if ((error as { code?: string }).code === "P2002") return false;
      throw error;
    }
  }

  async referralCodeExists(code: string): Promise<boolean> {
    const row = await this.prisma.referralCode.findUnique({ where: { code }, select: { champion: { select: { revokedAt: true } } } });
    return row !== null && row.champion.revokedAt === null;
  }

  async audience(query: AudienceQuery): Promise<ContactRecord[]> {
    const rows = await this.prisma.contact.findMany({
      where: {
        status: "active",
        consentVersion: { not: null },
        ...(query.channel ? { channel: query.channel } : {}),
        ...(query.area ? { area: query.area } : {}),
        ...(query.afterId ? { id: { gt: query.afterId } } : {}),
      },
      orderBy: { id: "asc" },
      take: query.limit,
    });
    return rows.map(toContactRecord);
  }

  async loadSession(contactId: string): Promise<SessionRecord | null> {
    const row = await this.prisma.session.findUnique({ where: { contactId }, select: { state: true, version: true } });
    return row ? { state: JSON.parse(row.state) as SessionState, version: row.version } : null;
  }

  async commitStep(commit: StepCommit): Promise<CommitResult> {
    const { contact, now, session } = commit;
    try {
      await this.prisma.$transaction(async (tx) => {
        // First, so a redelivered webhook fails here before anything else is written.
        if (commit.inbound) await tx.inboundMessage.create({ data: { id: commit.inbound.id, channel: commit.inbound.channel, receivedAt: now } });
        if (!session) {
          // Contact-only change (e.g. STOP): the conversation stays where it was.
        } else if (session.expectedVersion === null) {
          if (session.next) {
            await tx.session.create({
              data: {
                id: session.newId,
                contactId: contact.id,
                flowId: session.next.flowId,
                nodeId: session.next.nodeId,
                state: JSON.stringify(session.next),
                version: 1,
                expiresAt: new Date(session.next.expiresAt),
              },
            });
          }
        } else if (session.next) {
          const updated = await tx.session.updateMany({
            where: { contactId: contact.id, version: session.expectedVersion },
            data: {
              flowId: session.next.flowId,
              nodeId: session.next.nodeId,
              state: JSON.stringify(session.next),
              version: session.expectedVersion + 1,
              expiresAt: new Date(session.next.expiresAt),
            },
          });
          if (updated.count !== 1) throw new VersionConflict();
        } else {
          const deleted = await tx.session.deleteMany({ where: { contactId: contact.id, version: session.expectedVersion } });
          if (deleted.count !== 1) throw new VersionConflict();
        }
        const area = commit.contactChanges.area ?? contact.area;
        const language = commit.contactChanges.language ?? contact.language;
        if (commit.answers.length > 0) {
          await tx.answer.createMany({
            data: commit.answers.map((a) => ({
              id: a.id,
              contactId: contact.id,
              flowId: a.flowId,
              questionKey: a.questionKey,
              value: JSON.stringify(a.value),
              channel: contact.channel,
              language,
              area,
              createdAt: now,
              redacted: a.redacted ?? null,
              ageBand: a.ageBand ?? null,
            })),
          });
          const facts = commit.answers.flatMap((a) =>
            (a.facts ?? []).map((f) => ({
              id: f.id,
              answerId: a.id,
              contactId: contact.id,
              flowId: a.flowId,
              questionKey: a.questionKey,
              theme: f.theme,
              source: f.source,
              area,
              channel: contact.channel,
              ageBand: a.ageBand ?? null,
              week: isoWeek(now),
              createdAt: now,
            })),
          );
          if (facts.length > 0) await tx.themeFact.createMany({ data: facts });
          for (const f of facts) await addThemeCount(tx, f, 1);
          for (const a of commit.answers) {
            if (a.questionKey === RESPONDENT_KEY && a.value !== null) {
              await addRespondentCount(tx, { questionKey: a.questionKey, area, week: isoWeek(now), channel: contact.channel, ageBand: a.ageBand ?? null }, 1);
            }
          }
        }
        if (commit.ageBand) {
          const where = { contactId: contact.id, flowId: commit.ageBand.flowId, createdAt: { gte: commit.ageBand.since } };
          const newBand = commit.ageBand.value;
          // Move the running totals from the old age band to the new one.
          const movedFacts = await tx.themeFact.findMany({ where });
          for (const f of movedFacts) {
            await addThemeCount(tx, f, -1);
            await addThemeCount(tx, { ...f, ageBand: newBand }, 1);
          }
          const movedRespondents = await tx.answer.findMany({ where: { ...where, questionKey: RESPONDENT_KEY, NOT: { value: "null" } } });
          for (const r of movedRespondents) {
            const key = { questionKey: r.questionKey, area: r.area, week: isoWeek(r.createdAt), channel: r.channel };
            await addRespondentCount(tx, { ...key, ageBand: r.ageBand }, -1);
            await addRespondentCount(tx, { ...key, ageBand: newBand }, 1);
          }
          await tx.answer.updateMany({ where, data: { ageBand: newBand } });
          await tx.themeFact.updateMany({ where, data: { ageBand: newBand } });
        }
        if (Object.keys(commit.contactChanges).length > 0) {
          await tx.contact.update({ where: { id: contact.id }, data: { ...commit.contactChanges } });
        }
        if (commit.completions && commit.completions.length > 0) {
          await tx.flowCompletion.createMany({ data: commit.completions.map((c) => ({ id: c.id, contactId: contact.id, flowId: c.flowId, createdAt: now })) });
        }
        if (commit.touch) await tx.referralTouch.create({ data: { id: commit.touch.id, contactId: contact.id, code: commit.touch.code, createdAt: now } });
        if (commit.outbox && commit.outbox.length > 0) {
          await tx.outboxMessage.createMany({
            data: commit.outbox.map((m) => ({
              id: m.id,
              contactId: m.contactId,
              channel: m.channel,
              payload: JSON.stringify(m.payload),
              idempotencyKey: m.idempotencyKey,
              nextAttemptAt: m.notBefore,
              kind: m.kind ?? "reply",
              createdAt: now,
            })),
          });
        }
      });
      return "ok";
    } catch (error) {
      if (error instanceof VersionConflict) return "conflict";
      if (commit.inbound && isUniqueViolation(error, "inbound_messages")) return "duplicate";
      if (commit.inbound && isUniqueViolation(error) && (await this.seenInbound(commit.inbound.id))) return "duplicate";
      // A second first message raced us to create the session.
      if (isUniqueViolation(error)) return "conflict";
      throw error;
    }
  }

  async seenInbound(id: string): Promise<boolean> {
    return (await this.prisma.inboundMessage.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  async recordInbound(id: string, channel: string): Promise<boolean> {
    try {
      await this.prisma.inboundMessage.create({ data: { id, channel } });
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  async answersOf(contactId: string): Promise<AnswerRecord[]> {
    const rows = await this.prisma.answer.findMany({ where: { contactId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    return rows.map((r) => ({ flowId: r.flowId, questionKey: r.questionKey, value: JSON.parse(r.value) as AnswerValue, area: r.area, createdAt: r.createdAt }));
  }

  async eraseContact(contactId: string): Promise<void> {
    // Foreign keys cascade from the contact to everything personal; theme_facts go with answers.
    await this.prisma.contact.deleteMany({ where: { id: contactId } });
  }

  async ping(): Promise<void> {
    // Touch a real table: SELECT 1 alone would succeed on a corrupt or missing file.
    await this.prisma.$queryRawUnsafe(`SELECT 1 FROM "contacts" LIMIT 1`);
  }

  async close(): Promise<void> {
    await this.prisma.$disconnect();
  }
}
