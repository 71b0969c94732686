// What every inbound message reads before its step, as one SQL statement the Node (direct
// SQLite) and Worker (D1) stores share: the contact with this address hash, its session, and
// whether the message id was processed already. One prepared statement on Node instead of
// three, and one D1 round trip instead of three on Workers.
import type { SessionState } from "../engine/types.js";
import { toContactRecord, type ContactRow } from "./contact-record.js";
import type { ContactRecord, SessionRecord, Turn } from "./types.js";

/** A DateTime column as Prisma's SQLite adapter writes it ("…+00:00"), or as CURRENT_TIMESTAMP does ("YYYY-MM-DD HH:MM:SS", UTC). */
export function readSqlDate(value: string | number): Date {
  if (typeof value === "number") return new Date(value);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(" ", "T")}Z` : value);
}

const CONTACT_FIELDS: readonly (readonly [column: string, name: string])[] = [
  ["id", "id"],
  ["channel", "channel"],
  ["address_hash", "addressHash"],
  ["language", "language"],
  ["status", "status"],
  ["consent_version", "consentVersion"],
  ["consent_at", "consentAt"],
  ["consent_refused_version", "consentRefusedVersion"],
  ["consent_refused_at", "consentRefusedAt"],
  ["area", "area"],
  ["attribution", "attribution"],
  ["record_key", "recordKey"],
  ["created_at", "createdAt"],
];
const contactColumns = (prefix: string) =>
  CONTACT_FIELDS.map(([column, name]) => `${prefix}"${column}" AS "${name}"`).join(", ");
/** The contact record's columns under its names, from "contacts" AS c. */
export const CONTACT_COLUMNS = contactColumns("c.");

/** The contact record's columns under its names, for a RETURNING clause on "contacts". */
export const CONTACT_RETURNING = contactColumns("");

/** The contact record's columns under its names, by channel and address hash (parameters in that order). */
export const CONTACT_SQL = `SELECT ${CONTACT_COLUMNS} FROM "contacts" AS c WHERE c."channel" = ? AND c."address_hash" = ?`;

/** A row when the inbound message id was processed already. */
export const SEEN_SQL = `SELECT 1 AS "seen" FROM "inbound_messages" WHERE "id" = ?`;

/** The contact's session (parameter: the contact id). */
export const SESSION_SQL = `SELECT "state", "version" FROM "sessions" WHERE "contact_id" = ?`;

/** Always one row; parameters: `turnParams`. */
export const TURN_SQL = `SELECT (${SEEN_SQL}) AS "seen", ${CONTACT_COLUMNS}, s."state" AS "sessionState", s."version" AS "sessionVersion"
FROM (SELECT ? AS "channel", ? AS "hash") AS k
LEFT JOIN "contacts" AS c ON c."channel" = k."channel" AND c."address_hash" = k."hash"
LEFT JOIN "sessions" AS s ON s."contact_id" = c."id"`;

export function turnParams(
  channel: string,
  addressHash: string,
  inboundId: string | undefined,
): [string | null, string, string] {
  return [inboundId ?? null, channel, addressHash];
}

/** A contact as SQLite returns it: the record's columns under its names, dates as text. */
export type SqlContactRow = Omit<ContactRow, "consentAt" | "consentRefusedAt" | "createdAt"> & {
  consentAt: string | null;
  consentRefusedAt: string | null;
  createdAt: string;
};
export type TurnRow = { seen: number | null; sessionState: string | null; sessionVersion: number | null } & (
  { id: null } | SqlContactRow
);

const toDate = (value: string | null) => (value === null ? null : readSqlDate(value));

export function toContact(row: SqlContactRow): ContactRecord {
  return toContactRecord({
    ...row,
    consentAt: toDate(row.consentAt),
    consentRefusedAt: toDate(row.consentRefusedAt),
    createdAt: readSqlDate(row.createdAt),
  });
}

export function toSession(state: string, version: number): SessionRecord {
  return { state: JSON.parse(state) as SessionState, version };
}

export function toTurn(row: TurnRow): Turn {
  return {
    seen: row.seen !== null,
    contact: row.id === null ? null : toContact(row),
    session:
      row.sessionState === null || row.sessionVersion === null ? null : toSession(row.sessionState, row.sessionVersion),
  };
}
