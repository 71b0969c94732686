// The hot path's own connection to the embedded SQLite file (Node only). Every inbound message
// runs a dozen or so statements; through Prisma each one is compiled, prepared afresh and
// awaited, which made the webhook path 50 times slower than SQLite itself. Here each statement
// is prepared once and a step runs as one synchronous transaction, so it takes the write lock
// for microseconds and nothing else in this process can interleave with it.
//
// Waiting for a lock must not block the event loop: the busy timeout of this connection is 0,
// and a statement that finds the database locked (another process, or Prisma's connection in
// this one) is tried again after a short asynchronous pause, for up to BUSY_TIMEOUT_MS.
import Database from "better-sqlite3";
import { BUSY_TIMEOUT_MS } from "./sqlite-file.js";
import type { SqlStatement, SqlValue } from "./step-statements.js";

type Statement = Database.Statement<SqlValue[]>;

/** Statements kept prepared; a step's contact update varies with the columns it sets, so the set is bounded, not fixed. */
const MAX_CACHED = 500;

export class SqliteConnection {
  readonly db: Database.Database;
  private readonly cache = new Map<string, Statement>();

  constructor(file: string) {
    this.db = new Database(file, { fileMustExist: true, timeout: 0 });
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("foreign_keys = ON");
  }

  /** The prepared statement for this SQL, prepared on first use. */
  prepare(sql: string): Statement {
    let statement = this.cache.get(sql);
    if (!statement) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      statement = this.db.prepare<SqlValue[]>(sql);
      this.cache.set(sql, statement);
    }
    return statement;
  }

  get<Row>(sql: string, ...params: SqlValue[]): Row | undefined {
    return this.prepare(sql).get(...params) as Row | undefined;
  }

  all<Row>(sql: string, ...params: SqlValue[]): Row[] {
    return this.prepare(sql).all(...params) as Row[];
  }

  run(sql: string, ...params: SqlValue[]): number {
    return this.prepare(sql).run(...params).changes;
  }

  /** Runs statements in order; a statement that returns rows (a guard) is stepped, so its error aborts. */
  runAll(statements: readonly SqlStatement[]): void {
    for (const s of statements) {
      const statement = this.prepare(s.sql);
      if (statement.reader) statement.get(...s.params);
      else statement.run(...s.params);
    }
  }

  /**
   * Runs `work` in one write transaction (BEGIN IMMEDIATE: the write lock is taken first, so a
   * read inside cannot go stale before the writes), retrying while the database is locked.
   */
  transaction<T>(work: () => T): Promise<T> {
    const tx = this.db.transaction(work);
    return retryWhileBusy(() => tx.immediate());
  }

  /** A read or single write, retried while the database is locked. */
  read<T>(work: () => T): Promise<T> {
    return retryWhileBusy(work);
  }

  close(): void {
    this.cache.clear();
    if (this.db.open) this.db.close();
  }
}

function isBusy(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? "");
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs synchronous `work`; while SQLite says busy, waits (1, 2, 4 … 50 ms) and tries again, for up to `budgetMs`. */
export async function retryWhileBusy<T>(work: () => T, budgetMs = BUSY_TIMEOUT_MS): Promise<T> {
  const deadline = Date.now() + budgetMs;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return work();
    } catch (error) {
      if (!isBusy(error) || Date.now() + wait > deadline) throw error;
    }
    await pause(wait);
  }
}

/** A DateTime column as Prisma's SQLite adapter writes it ("…+00:00"), or as CURRENT_TIMESTAMP does ("YYYY-MM-DD HH:MM:SS", UTC). */
export function readSqlDate(value: string | number): Date {
  if (typeof value === "number") return new Date(value);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(" ", "T")}Z` : value);
}
