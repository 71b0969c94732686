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
import type { SqlPort, SqlResult, SqlStatement, SqlValue } from "./sql-port.js";

type Statement = Database.Statement<SqlValue[]>;
interface PendingWork {
  readonly work: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

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

  /** Runs statements in order; a statement that returns rows (a guard, RETURNING) is read to the end, so its error aborts. */
  runAll(statements: readonly SqlStatement[]): SqlResult[] {
    return statements.map((s) => {
      const statement = this.prepare(s.sql);
      if (!statement.reader) return { rows: [], changes: statement.run(...s.params).changes };
      const rows = statement.all(...s.params) as Record<string, SqlValue>[];
      return { rows, changes: rows.length };
    });
  }

  /**
   * Runs `work` atomically in a write transaction and resolves once it is committed.
   *
   * Group commit: the work of every step that becomes ready in the same turn of the event loop
   * shares one transaction (BEGIN IMMEDIATE, so the write lock is taken first), each inside its
   * own savepoint. A step whose statements fail is rolled back to its savepoint alone and
   * rejected; the others commit together. Nothing resolves before the COMMIT, so nothing is
   * acknowledged that is not in the file. Under load this writes each b-tree page a batch
   * shares once instead of once per step, which is most of what a step costs.
   */
  transaction<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.pending.length === 1) setImmediate(() => void this.flush());
    });
  }

  private pending: PendingWork[] = [];

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    let outcomes: Outcome[];
    try {
      outcomes = await retryWhileBusy(() => this.commitBatch(batch));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error)));
  }

  /** One transaction for the batch; throws (after rolling back) if the transaction as a whole fails. */
  private commitBatch(batch: readonly PendingWork[]): Outcome[] {
    const { db } = this;
    // A batch of one needs no savepoint: its failure is the transaction's.
    const single = batch.length === 1;
    this.prepare("BEGIN IMMEDIATE").run();
    try {
      const outcomes = batch.map((p): Outcome => {
        if (!single) this.prepare("SAVEPOINT step").run();
        try {
          const value = p.work();
          if (!single) this.prepare("RELEASE step").run();
          return { ok: true, value };
        } catch (error) {
          // Some errors (a full disk, I/O) end the whole transaction: then the batch fails as one.
          if (single || !db.inTransaction) throw error;
          this.prepare("ROLLBACK TO step").run();
          this.prepare("RELEASE step").run();
          return { ok: false, error };
        }
      });
      this.prepare("COMMIT").run();
      return outcomes;
    } catch (error) {
      if (db.inTransaction) this.prepare("ROLLBACK").run();
      throw error;
    }
  }

  /** A read, retried while the database is locked (writes go through `transaction`, to share commits). */
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

/** The SQL port on this connection: reads retried while busy, each batch one step of a group commit. */
export function sqlitePort(connection: SqliteConnection): SqlPort {
  return {
    get: <Row>(sql: string, ...params: SqlValue[]) => connection.read(() => connection.get<Row>(sql, ...params)),
    all: <Row>(sql: string, ...params: SqlValue[]) => connection.read(() => connection.all<Row>(sql, ...params)),
    batch: (statements) =>
      statements.length === 0 ? Promise.resolve([]) : connection.transaction(() => connection.runAll(statements)),
    close: () => connection.close(),
  };
}
