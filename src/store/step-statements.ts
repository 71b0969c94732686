// One engine step as a list of SQL statements that must all apply or none. The same list runs
// in a better-sqlite3 transaction on Node and as one D1 batch (D1's unit of atomicity) on
// Workers, so the two runtimes cannot drift apart.
//
// Correctness rests on constraints, not on reads made earlier:
// - the inbound message id is inserted first: a redelivered webhook hits its primary key and
//   the whole step is dropped ("duplicate");
// - a session moving on is guarded by its version: a statement that fails unless the stored
//   version is the one the step was computed from (or the unique contact_id of a new session)
//   drops the whole step ("conflict"), and the host reads again and re-runs it.
import { isoWeek } from "./week.js";
import {
  OFFER_SOURCE,
  OFFERS_KEY,
  RESPONDENT_KEY,
  championCountUpsert,
  respondentCountUpsert,
  themeCountUpsert,
  type FactKey,
  type RespondentKey,
} from "./rollups.js";
import type { SqlStatement, SqlValue } from "./sql-port.js";
import type { ContactChanges, StepCommit } from "./types.js";

/** DateTime as Prisma's SQLite adapters write it, so Prisma reads it back as the same instant. */
export const sqlDate = (d: Date): string => d.toISOString().replace("Z", "+00:00");

/** Aborts the step unless the condition holds: json() of malformed text is an error in SQLite. */
const GUARD_MARKER = "placevoice-guard";
const guard = (condition: string, params: readonly SqlValue[]): SqlStatement => ({
  sql: `SELECT CASE WHEN ${condition} THEN 1 ELSE json('${GUARD_MARKER}') END`,
  params,
});

/** What was stored before this step, needed to move running totals when an age band arrives. */
export interface AgeBandMoves {
  readonly facts: readonly FactKey[];
  readonly respondents: readonly RespondentKey[];
}

const CONTACT_COLUMNS: Record<keyof ContactChanges, string> = {
  language: "language",
  area: "area",
  consentVersion: "consent_version",
  consentAt: "consent_at",
  consentRefusedVersion: "consent_refused_version",
  consentRefusedAt: "consent_refused_at",
  status: "status",
  stoppedAt: "stopped_at",
  attribution: "attribution",
};

export function stepStatements(commit: StepCommit, moves: AgeBandMoves | undefined): SqlStatement[] {
  const { contact, now, session } = commit;
  const at = sqlDate(now);
  const out: SqlStatement[] = [];
  if (commit.inbound)
    out.push({
      sql: `INSERT INTO "inbound_messages" ("id", "channel", "received_at") VALUES (?, ?, ?)`,
      params: [commit.inbound.id, commit.inbound.channel, at],
    });

  if (session) {
    const next = session.next;
    if (session.expectedVersion === null) {
      if (next) {
        out.push({
          sql: `INSERT INTO "sessions" ("id", "contact_id", "flow_id", "node_id", "state", "version", "expires_at", "created_at", "updated_at") VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`,
          params: [
            session.newId,
            contact.id,
            next.flowId,
            next.nodeId,
            JSON.stringify(next),
            sqlDate(new Date(next.expiresAt)),
            at,
            at,
          ],
        });
      }
    } else {
      out.push(
        guard(`EXISTS (SELECT 1 FROM "sessions" WHERE "contact_id" = ? AND "version" = ?)`, [
          contact.id,
          session.expectedVersion,
        ]),
      );
      out.push(
        next
          ? {
              sql: `UPDATE "sessions" SET "flow_id" = ?, "node_id" = ?, "state" = ?, "version" = ?, "expires_at" = ?, "updated_at" = ? WHERE "contact_id" = ? AND "version" = ?`,
              params: [
                next.flowId,
                next.nodeId,
                JSON.stringify(next),
                session.expectedVersion + 1,
                sqlDate(new Date(next.expiresAt)),
                at,
                contact.id,
                session.expectedVersion,
              ],
            }
          : {
              sql: `DELETE FROM "sessions" WHERE "contact_id" = ? AND "version" = ?`,
              params: [contact.id, session.expectedVersion],
            },
      );
    }
  }

  const area = commit.contactChanges.area ?? contact.area;
  const language = commit.contactChanges.language ?? contact.language;
  const attribution = commit.contactChanges.attribution ?? contact.attribution;
  const week = isoWeek(now);
  for (const a of commit.answers) {
    out.push({
      sql: `INSERT INTO "answers" ("id", "contact_id", "flow_id", "question_key", "value", "channel", "language", "area", "created_at", "redacted", "age_band") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        a.id,
        contact.id,
        a.flowId,
        a.questionKey,
        JSON.stringify(a.value),
        contact.channel,
        language,
        area,
        at,
        a.redacted ?? null,
        a.ageBand ?? null,
      ],
    });
    for (const f of a.facts ?? []) {
      const key: FactKey = {
        source: f.source,
        questionKey: a.questionKey,
        theme: f.theme,
        area,
        week,
        channel: contact.channel,
        ageBand: a.ageBand ?? null,
      };
      out.push({
        sql: `INSERT INTO "theme_facts" ("id", "answer_id", "contact_id", "flow_id", "question_key", "theme", "source", "area", "channel", "age_band", "week", "created_at") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [
          f.id,
          a.id,
          contact.id,
          a.flowId,
          a.questionKey,
          f.theme,
          f.source,
          area,
          contact.channel,
          a.ageBand ?? null,
          week,
          at,
        ],
      });
      out.push(themeCountUpsert(key, 1, contact.recordKey));
    }
    if (a.questionKey === RESPONDENT_KEY && a.value !== null) {
      out.push(
        respondentCountUpsert(
          { questionKey: a.questionKey, area, week, channel: contact.channel, ageBand: a.ageBand ?? null },
          1,
          contact.recordKey,
        ),
      );
      if (attribution) out.push(championCountUpsert({ area, week }, 1, contact.recordKey));
    }
  }

  if (commit.ageBand && moves) {
    // Move the running totals from the old age band to the new one, then relabel the rows.
    const band = commit.ageBand.value;
    for (const f of moves.facts)
      out.push(
        themeCountUpsert(f, -1, contact.recordKey),
        themeCountUpsert({ ...f, ageBand: band }, 1, contact.recordKey),
      );
    for (const r of moves.respondents)
      out.push(
        respondentCountUpsert(r, -1, contact.recordKey),
        respondentCountUpsert({ ...r, ageBand: band }, 1, contact.recordKey),
      );
    const scope = `"contact_id" = ? AND "flow_id" = ? AND "created_at" >= ?`;
    const scopeParams = [contact.id, commit.ageBand.flowId, sqlDate(commit.ageBand.since)];
    out.push({ sql: `UPDATE "answers" SET "age_band" = ? WHERE ${scope}`, params: [band, ...scopeParams] });
    out.push({ sql: `UPDATE "theme_facts" SET "age_band" = ? WHERE ${scope}`, params: [band, ...scopeParams] });
  }

  if (commit.offer) out.push(...offerStatements(commit.offer, commit.contact, area, week, at));

  const changes = Object.entries(commit.contactChanges).filter(([, v]) => v !== undefined) as [
    keyof ContactChanges,
    string | Date | null,
  ][];
  if (changes.length > 0) {
    const sets = changes.map(([k]) => `"${CONTACT_COLUMNS[k]}" = ?`);
    const values = changes.map(([, v]) => (v instanceof Date ? sqlDate(v) : v));
    out.push({
      sql: `UPDATE "contacts" SET ${sets.join(", ")}, "updated_at" = ? WHERE "id" = ?`,
      params: [...values, at, contact.id],
    });
  }
  for (const c of commit.completions ?? []) {
    out.push({
      sql: `INSERT INTO "flow_completions" ("id", "contact_id", "flow_id", "created_at") VALUES (?, ?, ?, ?)`,
      params: [c.id, contact.id, c.flowId, at],
    });
  }
  if (commit.touch)
    out.push({
      sql: `INSERT INTO "referral_touches" ("id", "contact_id", "code", "created_at") VALUES (?, ?, ?, ?)`,
      params: [commit.touch.id, contact.id, commit.touch.code, at],
    });
  for (const m of commit.outbox ?? []) {
    out.push({
      sql: `INSERT INTO "outbox" ("id", "contact_id", "channel", "payload", "status", "attempts", "next_attempt_at", "idempotency_key", "created_at", "kind") VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
      params: [
        m.id,
        m.contactId,
        m.channel,
        JSON.stringify(m.payload),
        m.claimedUntil ? "sending" : "pending",
        sqlDate(m.claimedUntil ?? m.notBefore),
        m.idempotencyKey,
        at,
        m.kind ?? "reply",
      ],
    });
  }
  return out;
}

/**
 * A completed offer, counted once per resident: the running totals of their earlier offer (read
 * from its facts, in the same batch) are taken away and its facts removed; then each kind is a
 * fact on their latest offer_kinds answer and the resident is one of the offers' population.
 */
function offerStatements(
  offer: NonNullable<StepCommit["offer"]>,
  contact: StepCommit["contact"],
  area: string | null,
  week: string,
  at: string,
): SqlStatement[] {
  const earlier = `SELECT "source", "question_key", "theme", COALESCE("area", ''), "week", "channel", COALESCE("age_band", '') FROM "theme_facts" WHERE "contact_id" = ? AND "source" = ?`;
  const earlierResident = `SELECT DISTINCT COALESCE("area", ''), "week", "channel", COALESCE("age_band", '') FROM "theme_facts" WHERE "contact_id" = ? AND "source" = ?`;
  const out: SqlStatement[] = [
    {
      sql: `UPDATE "theme_counts" SET "count" = "count" - 1, "key_sum" = "key_sum" - ? WHERE ("source", "question_key", "theme", "area", "week", "channel", "age_band") IN (${earlier})`,
      params: [contact.recordKey, contact.id, OFFER_SOURCE],
    },
    {
      sql: `UPDATE "respondent_counts" SET "count" = "count" - 1, "key_sum" = "key_sum" - ? WHERE "question_key" = ? AND ("area", "week", "channel", "age_band") IN (${earlierResident})`,
      params: [contact.recordKey, OFFERS_KEY, contact.id, OFFER_SOURCE],
    },
    { sql: `DELETE FROM "theme_facts" WHERE "contact_id" = ? AND "source" = ?`, params: [contact.id, OFFER_SOURCE] },
  ];
  const kinds = [...new Set(offer.kinds)];
  kinds.forEach((kind, i) => {
    out.push({
      sql: `INSERT INTO "theme_facts" ("id", "answer_id", "contact_id", "flow_id", "question_key", "theme", "source", "area", "channel", "age_band", "week", "created_at")
        SELECT ?, a."id", ?, a."flow_id", ?, ?, ?, ?, ?, NULL, ?, ? FROM "answers" a WHERE a."contact_id" = ? AND a."question_key" = ? ORDER BY a."created_at" DESC, a."id" DESC LIMIT 1`,
      params: [
        offer.factIds[i]!,
        contact.id,
        OFFERS_KEY,
        kind,
        OFFER_SOURCE,
        area,
        contact.channel,
        week,
        at,
        contact.id,
        OFFERS_KEY,
      ],
    });
    out.push(
      themeCountUpsert(
        {
          source: OFFER_SOURCE,
          questionKey: OFFERS_KEY,
          theme: kind,
          area,
          week,
          channel: contact.channel,
          ageBand: null,
        },
        1,
        contact.recordKey,
      ),
    );
  });
  if (kinds.length > 0)
    out.push(
      respondentCountUpsert(
        { questionKey: OFFERS_KEY, area, week, channel: contact.channel, ageBand: null },
        1,
        contact.recordKey,
      ),
    );
  return out;
}
