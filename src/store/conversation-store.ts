// The conversation store, the same on both runtimes. What every inbound message does (the turn
// read, creating a contact, recording a message id, the step's writes) runs over the SQL port
// (sql-port.ts): prepared statements on Node's SQLite file, D1 on Workers, the same statements
// either way. What a resident or an operator asks for now and then (MYDATA, erasure, broadcast
// audiences, key rotation) runs on Prisma.
//
// One engine step is one batch (`stepStatements`): the session moves, the answers and facts are
// stored, the running totals move and the replies are queued together, or none of them are.
import type { AnswerValue } from "../engine/types.js";
import type { PrismaClient } from "../generated/prisma/client.js";
import { toContactRecord } from "./contact-record.js";
import { classifyStoreError } from "./outcomes.js";
import { RESPONDENT_KEY } from "./rollups.js";
import { runOne, type SqlPort } from "./sql-port.js";
import { sqlDate, stepStatements, type AgeBandMoves } from "./step-statements.js";
import {
  CONTACT_RETURNING,
  CONTACT_SQL,
  readSqlDate,
  CONTACT_COLUMNS,
  SEEN_SQL,
  SESSION_SQL,
  toContact,
  toSession,
  toTurn,
  TURN_SQL,
  turnParams,
  type SqlContactRow,
  type TurnRow,
} from "./turn.js";
import type {
  AnswerRecord,
  AudienceQuery,
  CommitResult,
  ContactRecord,
  ConversationStore,
  IdleSessionQuery,
  NewContact,
  SessionRecord,
  StepCommit,
  Turn,
} from "./types.js";
import { isoWeek } from "./week.js";

const NEW_CONTACT = `INSERT INTO "contacts" ("id", "channel", "address_hash", "address_enc", "language", "status", "record_key", "created_at", "updated_at") VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?) ON CONFLICT ("channel", "address_hash") DO NOTHING RETURNING ${CONTACT_RETURNING}`;
const RECORD_INBOUND = `INSERT INTO "inbound_messages" ("id", "channel", "received_at") VALUES (?, ?, ?) ON CONFLICT ("id") DO NOTHING`;
const IDLE_SESSIONS_SQL = `SELECT ${CONTACT_COLUMNS}, s."state" AS "sessionState", s."version" AS "sessionVersion" FROM "sessions" AS s JOIN "contacts" AS c ON c."id" = s."contact_id" WHERE s."flow_id" = ? AND s."expires_at" > ? AND s."expires_at" <= ? AND c."status" = 'active' AND c."consent_version" IS NOT NULL AND c."id" > ? ORDER BY c."id" LIMIT ?`;
const SCOPE = `"contact_id" = ? AND "flow_id" = ? AND "created_at" >= ?`;
const FACTS_SO_FAR = `SELECT "source", "question_key" AS "questionKey", "theme", "area", "week", "channel", "age_band" AS "ageBand" FROM "theme_facts" WHERE ${SCOPE}`;
const RESPONDENTS_SO_FAR = `SELECT "question_key" AS "questionKey", "area", "created_at" AS "createdAt", "channel", "age_band" AS "ageBand" FROM "answers" WHERE ${SCOPE} AND "question_key" = ? AND "value" <> 'null'`;

export class SqlConversationStore implements ConversationStore {
  constructor(
    private readonly sql: SqlPort,
    private readonly prisma: PrismaClient,
  ) {}

  /** One statement (`turn.ts`): one prepared statement on Node, one round trip on D1. */
  async openTurn(channel: string, addressHash: string, inboundId?: string): Promise<Turn> {
    return toTurn((await this.sql.get<TurnRow>(TURN_SQL, ...turnParams(channel, addressHash, inboundId)))!);
  }

  /** Called when the turn found no contact: one statement creates it; if another process created it first, theirs is the one. */
  async findOrCreateContact(contact: NewContact): Promise<ContactRecord> {
    const at = sqlDate(contact.createdAt);
    const [created] = await this.sql.batch([
      {
        sql: NEW_CONTACT,
        params: [
          contact.id,
          contact.channel,
          contact.addressHash,
          contact.addressEnc,
          contact.language,
          contact.recordKey,
          at,
          at,
        ],
      },
    ]);
    const row =
      (created!.rows[0] as SqlContactRow | undefined) ??
      (await this.sql.get<SqlContactRow>(CONTACT_SQL, contact.channel, contact.addressHash))!;
    return toContact(row);
  }

  async loadSession(contactId: string): Promise<SessionRecord | null> {
    const row = await this.sql.get<{ state: string; version: number }>(SESSION_SQL, contactId);
    return row ? toSession(row.state, row.version) : null;
  }

  async idleSessions(query: IdleSessionQuery): Promise<{ contact: ContactRecord; session: SessionRecord }[]> {
    const rows = await this.sql.all<SqlContactRow & { sessionState: string; sessionVersion: number }>(
      IDLE_SESSIONS_SQL,
      query.flowId,
      sqlDate(query.expiresAfter),
      sqlDate(query.expiresBy),
      query.afterContactId ?? "",
      query.limit,
    );
    return rows.map((row) => ({ contact: toContact(row), session: toSession(row.sessionState, row.sessionVersion) }));
  }

  async seenInbound(id: string): Promise<boolean> {
    return (await this.sql.get(SEEN_SQL, id)) !== undefined;
  }

  async recordInbound(id: string, channel: string, at: Date): Promise<boolean> {
    return (await runOne(this.sql, RECORD_INBOUND, id, channel, sqlDate(at))) === 1;
  }

  async commitStep(commit: StepCommit): Promise<CommitResult> {
    try {
      // The rows an age band moves are read before the batch: the batch's session guard drops
      // the step ("conflict", read again and re-run) if another step of this contact came between.
      const moves = commit.ageBand ? await this.ageBandMoves(commit) : undefined;
      await this.sql.batch(stepStatements(commit, moves));
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

  /** The facts and respondents of this conversation so far, whose running totals move to the new age band. */
  private async ageBandMoves(commit: StepCommit): Promise<AgeBandMoves> {
    const band = commit.ageBand!;
    const scope = [commit.contact.id, band.flowId, sqlDate(band.since)];
    type Respondent = {
      questionKey: string;
      area: string | null;
      createdAt: string;
      channel: string;
      ageBand: string | null;
    };
    const [facts, respondents] = await Promise.all([
      this.sql.all<AgeBandMoves["facts"][number]>(FACTS_SO_FAR, ...scope),
      this.sql.all<Respondent>(RESPONDENTS_SO_FAR, ...scope, RESPONDENT_KEY),
    ]);
    return {
      facts,
      respondents: respondents.map(({ createdAt, ...r }) => ({ ...r, week: isoWeek(readSqlDate(createdAt)) })),
    };
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
      if (classifyStoreError(error).kind === "duplicate") return false;
      throw error;
    }
  }

  async referralCode(code: string): Promise<{ readonly flowId: string | null } | null> {
    const row = await this.prisma.referralCode.findUnique({
      where: { code },
      select: { flowId: true, retiredAt: true, champion: { select: { revokedAt: true } } },
    });
    return row !== null && row.retiredAt === null && row.champion.revokedAt === null ? { flowId: row.flowId } : null;
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

  /**
   * The true size of a broadcast's audience (who `audience` would return) and the sum of their
   * record keys: a tally for the disclosure gate, never shown as it is.
   */
  async audienceTally(query: {
    readonly channel?: string;
    readonly areas?: readonly string[];
  }): Promise<{ count: number; keySum: number }> {
    const result = await this.prisma.contact.aggregate({
      where: {
        status: "active",
        consentVersion: { not: null },
        ...(query.channel ? { channel: query.channel } : {}),
        ...(query.areas && query.areas.length > 0 ? { area: { in: [...query.areas] } } : {}),
      },
      _count: { _all: true },
      _sum: { recordKey: true },
    });
    return { count: result._count._all, keySum: result._sum.recordKey ?? 0 };
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
    await this.sql.get(`SELECT 1 FROM "contacts" LIMIT 1`);
  }

  async close(): Promise<void> {
    this.sql.close();
    await this.prisma.$disconnect();
  }
}
