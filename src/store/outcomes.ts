// What a failed database call means, decided in one place for SQLite (better-sqlite3, Prisma's
// driver adapter) and D1. Callers branch on the kind, never on error text:
// - "duplicate": a unique key already held the row (a redelivered message, a contact created
//   by another process); `table` says which, when the error names it;
// - "lost_race": a step's guard failed because another process changed the session first;
// - "busy": the database is locked, full or unreachable for now: retry later;
// - "other": anything else, a real error.
export type StoreOutcome = "duplicate" | "lost_race" | "busy" | "other";

export interface StoreFailure {
  readonly kind: StoreOutcome;
  readonly table?: string;
}

const BUSY =
  /SQLITE_BUSY|SQLITE_LOCKED|SQLITE_FULL|SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_CORRUPT|database is locked|disk is full|disk I\/O error|SocketTimeout|P1001|P1008|P2024|Timed out/i;

/** The text an error carries, wherever the driver put it (message, Prisma's meta, a cause and its SQLite code). */
function textOf(error: unknown): string {
  const e = error as
    | {
        name?: unknown;
        message?: unknown;
        code?: unknown;
        meta?: unknown;
        cause?: { message?: unknown; originalCode?: unknown; kind?: unknown };
      }
    | undefined;
  return [
    e?.name,
    e?.message,
    e?.code,
    JSON.stringify(e?.meta ?? {}),
    e?.cause?.message,
    e?.cause?.originalCode,
    e?.cause?.kind,
  ]
    .map((part) => String(part ?? ""))
    .join(" ");
}

export function classifyStoreError(error: unknown): StoreFailure {
  const text = textOf(error);
  const unique =
    (error as { code?: unknown })?.code === "P2002" ||
    /UNIQUE constraint failed|PRIMARY KEY must be unique/i.test(text);
  const table = unique
    ? (/constraint failed: (\w+)\.\w+/.exec(text)?.[1] ??
      (/inbound_messages/.test(text) ? "inbound_messages" : undefined))
    : undefined;
  if (unique && table && table !== "sessions") return { kind: "duplicate", table };
  // A step's guard raises a JSON error when the session's version moved (step-statements.ts);
  // a second new session for one contact breaks sessions' unique contact_id.
  if (text.includes("malformed JSON") || /sessions\.contact_id|sessions_contact_id_key/.test(text))
    return { kind: "lost_race" };
  if (unique) return { kind: "duplicate" };
  if (BUSY.test(text)) return { kind: "busy" };
  return { kind: "other" };
}
