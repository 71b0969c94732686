// The conversation store on Node: the reads and writes every inbound message makes go straight
// to SQLite through prepared statements (sqlite-direct.ts); the rest (erasure, MYDATA,
// broadcast audiences, key rotation) stays on Prisma. One engine step is one synchronous
// IMMEDIATE transaction holding the same statement list the Worker sends to D1 as a batch.
import type { PrismaClient } from "../generated/prisma/client.js";
import { RESPONDENT_KEY } from "./rollups.js";
import { isoWeek } from "./week.js";
import { PrismaConversationStore } from "./prisma-store.js";
import type { SqliteConnection } from "./sqlite-direct.js";
import { sqlDate, stepStatements, type AgeBandMoves } from "./step-statements.js";
import {
  CONTACT_SQL as CONTACT,
  readSqlDate,
  SEEN_SQL as SEEN,
  SESSION_SQL as SESSION,
  toContact,
  toSession,
  toTurn,
  TURN_SQL,
  turnParams,
  type SqlContactRow,
  type TurnRow,
} from "./turn.js";
import type { Turn } from "./types.js";
import type { ContactRecord, NewContact, SessionRecord, StepCommit } from "./types.js";

const NEW_CONTACT = `INSERT INTO "contacts" ("id", "channel", "address_hash", "address_enc", "language", "status", "record_key", "created_at", "updated_at") VALUES (?, ?, ?, ?, ?, 'active', ?, ?, ?) ON CONFLICT ("channel", "address_hash") DO NOTHING`;
const RECORD_INBOUND = `INSERT INTO "inbound_messages" ("id", "channel", "received_at") VALUES (?, ?, ?) ON CONFLICT ("id") DO NOTHING`;
const SCOPE = `"contact_id" = ? AND "flow_id" = ? AND "created_at" >= ?`;
const FACTS_SO_FAR = `SELECT "source", "question_key", "theme", "area", "week", "channel", "age_band" FROM "theme_facts" WHERE ${SCOPE}`;
const RESPONDENTS_SO_FAR = `SELECT "question_key", "area", "created_at", "channel", "age_band" FROM "answers" WHERE ${SCOPE} AND "question_key" = ? AND "value" <> 'null'`;

export class SqliteConversationStore extends PrismaConversationStore {
  constructor(
    prisma: PrismaClient,
    private readonly sqlite: SqliteConnection,
  ) {
    super(prisma);
  }

  override openTurn(channel: string, addressHash: string, inboundId?: string): Promise<Turn> {
    return this.sqlite.read(() =>
      toTurn(this.sqlite.get<TurnRow>(TURN_SQL, ...turnParams(channel, addressHash, inboundId))!),
    );
  }

  override findOrCreateContact(contact: NewContact): Promise<ContactRecord> {
    return this.sqlite.transaction(() => {
      const found = this.sqlite.get<SqlContactRow>(CONTACT, contact.channel, contact.addressHash);
      if (found) return toContact(found);
      // Another process may create the same contact first: then theirs is the one.
      const at = sqlDate(contact.createdAt);
      this.sqlite.run(
        NEW_CONTACT,
        contact.id,
        contact.channel,
        contact.addressHash,
        contact.addressEnc,
        contact.language,
        contact.recordKey,
        at,
        at,
      );
      return toContact(this.sqlite.get<SqlContactRow>(CONTACT, contact.channel, contact.addressHash)!);
    });
  }

  override loadSession(contactId: string): Promise<SessionRecord | null> {
    return this.sqlite.read(() => {
      const row = this.sqlite.get<{ state: string; version: number }>(SESSION, contactId);
      return row ? toSession(row.state, row.version) : null;
    });
  }

  override seenInbound(id: string): Promise<boolean> {
    return this.sqlite.read(() => this.sqlite.get(SEEN, id) !== undefined);
  }

  override recordInbound(id: string, channel: string, at: Date): Promise<boolean> {
    return this.sqlite.transaction(() => this.sqlite.run(RECORD_INBOUND, id, channel, sqlDate(at)) === 1);
  }

  /** The reads an age band needs happen inside the step's transaction, so they cannot go stale before its writes. */
  protected override applyStep(commit: StepCommit): Promise<void> {
    return this.sqlite.transaction(() => {
      this.sqlite.runAll(stepStatements(commit, commit.ageBand ? this.ageBandMovesNow(commit) : undefined));
    });
  }

  private ageBandMovesNow(commit: StepCommit): AgeBandMoves {
    const band = commit.ageBand!;
    const scope = [commit.contact.id, band.flowId, sqlDate(band.since)];
    const facts = this.sqlite.all<{
      source: string;
      question_key: string;
      theme: string;
      area: string | null;
      week: string;
      channel: string;
      age_band: string | null;
    }>(FACTS_SO_FAR, ...scope);
    const respondents = this.sqlite.all<{
      question_key: string;
      area: string | null;
      created_at: string;
      channel: string;
      age_band: string | null;
    }>(RESPONDENTS_SO_FAR, ...scope, RESPONDENT_KEY);
    return {
      facts: facts.map((f) => ({
        source: f.source,
        questionKey: f.question_key,
        theme: f.theme,
        area: f.area,
        week: f.week,
        channel: f.channel,
        ageBand: f.age_band,
      })),
      respondents: respondents.map((r) => ({
        questionKey: r.question_key,
        area: r.area,
        week: isoWeek(readSqlDate(r.created_at)),
        channel: r.channel,
        ageBand: r.age_band,
      })),
    };
  }

  override async close(): Promise<void> {
    this.sqlite.close();
    await super.close();
  }
}
