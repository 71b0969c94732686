// A contact row as Prisma (or a raw query with the same column names) returns it, and the record
// the rest of the code works with: one mapper for every store.
import type { Prisma } from "../generated/prisma/client.js";
import type { ContactRecord } from "./types.js";

/** The columns a ContactRecord is made of, as Prisma (or a raw query with the same names) returns them. */
export type ContactRow = Pick<
  Prisma.ContactGetPayload<object>,
  | "id"
  | "channel"
  | "addressHash"
  | "language"
  | "status"
  | "consentVersion"
  | "consentAt"
  | "consentRefusedVersion"
  | "consentRefusedAt"
  | "area"
  | "attribution"
  | "recordKey"
  | "createdAt"
>;

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
    recordKey: row.recordKey,
    createdAt: row.createdAt,
  };
}
