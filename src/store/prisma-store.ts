// ConversationStore on Prisma: what both runtimes share. One engine step is one list of
// statements applied atomically (the session moves, the answers are stored and the contact
// changes together, or none of them do); how a list is applied is the runtime's: one D1 batch
// on Workers (d1-store.ts), one synchronous SQLite transaction on Node (sqlite-store.ts).
import type { AnswerValue, SessionState } from "../engine/types.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { isoWeek } from "./week.js";
import { RESPONDENT_KEY } from "./rollups.js";
import { classifyStoreError } from "./outcomes.js";
import type { AgeBandMoves } from "./step-statements.js";
import type { Turn } from "./types.js";
import { toContactRecord } from "./contact-record.js";
import type {
  AnswerRecord,
  AudienceQuery,
  CommitResult,
  ContactRecord,
  ConversationStore,
  NewContact,
  SessionRecord,
  StepCommit,
} from "./types.js";

export abstract class PrismaConversationStore implements ConversationStore {
  constructor(protected readonly prisma: PrismaClient) {}

  /** One SQL statement (`turn.ts`), which each runtime runs on its own connection. */
  abstract openTurn(channel: string, addressHash: string, inboundId?: string): Promise<Turn>;

  async findOrCreateContact(contact: NewContact): Promise<ContactRecord> {
    const row = await this.prisma.contact.upsert({
      where: { channel_addressHash: { channel: contact.channel, addressHash: contact.addressHash } },
      create: { ...contact, updatedAt: contact.createdAt },
      update: {},
    });
    return toContactRecord(row);
  }

  async rekeyContact(
    channel: string,
    previousHashes: readonly string[],
    addressHash: string,
    addressEnc: string,
  ): Promise<boolean> {
    if (previousHashes.length === 0) return false;
    try {
      const result = await this.prisma.contact.updateMany({
        where: { channel, addressHash: { in: [...previousHashes] } },
        data: { addressHash, addressEnc },
      });
      return result.count > 0;
    } catch (error) {
      // Already a contact under the current hash (created by a server that had the new key
      // first): leave the old row for `placevoice keys rotate` to report.
      if ((error as { code?: string }).code === "P2002") return false;
      throw error;
    }
  }

  async referralCodeExists(code: string): Promise<boolean> {
    const row = await this.prisma.referralCode.findUnique({
      where: { code },
      select: { champion: { select: { revokedAt: true } } },
    });
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
    try {
      await this.applyStep(commit);
      return "ok";
    } catch (error) {
      const failure = classifyStoreError(error);
      if (failure.kind === "lost_race") return "conflict";
      // The message id was recorded by another delivery of the same message.
      if (
        failure.kind === "duplicate" &&
        commit.inbound &&
        (failure.table === "inbound_messages" || (await this.seenInbound(commit.inbound.id)))
      )
        return "duplicate";
      throw error;
    }
  }

  /**
   * Writes the step's statements (`stepStatements`) so that all or none apply; its guards raise
   * the errors `classifyStoreError` (outcomes.ts) reads.
   */
  protected abstract applyStep(commit: StepCommit): Promise<void>;

  /** The facts and respondents of this conversation so far, whose running totals move to the new age band. */
  protected async ageBandMoves(commit: StepCommit): Promise<AgeBandMoves> {
    const band = commit.ageBand!;
    const where = { contactId: commit.contact.id, flowId: band.flowId, createdAt: { gte: band.since } };
    const [facts, respondents] = await Promise.all([
      this.prisma.themeFact.findMany({ where }),
      this.prisma.answer.findMany({ where: { ...where, questionKey: RESPONDENT_KEY, NOT: { value: "null" } } }),
    ]);
    return {
      facts,
      respondents: respondents.map((r) => ({
        questionKey: r.questionKey,
        area: r.area,
        week: isoWeek(r.createdAt),
        channel: r.channel,
        ageBand: r.ageBand,
      })),
    };
  }

  async seenInbound(id: string): Promise<boolean> {
    return (await this.prisma.inboundMessage.findUnique({ where: { id }, select: { id: true } })) !== null;
  }

  async recordInbound(id: string, channel: string, at: Date): Promise<boolean> {
    try {
      await this.prisma.inboundMessage.create({ data: { id, channel, receivedAt: at } });
      return true;
    } catch (error) {
      if (classifyStoreError(error).kind === "duplicate") return false;
      throw error;
    }
  }

  async answersOf(contactId: string): Promise<AnswerRecord[]> {
    const rows = await this.prisma.answer.findMany({
      where: { contactId },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows.map((r) => ({
      flowId: r.flowId,
      questionKey: r.questionKey,
      value: JSON.parse(r.value) as AnswerValue,
      area: r.area,
      createdAt: r.createdAt,
    }));
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
