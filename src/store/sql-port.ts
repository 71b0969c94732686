// The SQL port: what the hot path (every inbound message, every reply sent) needs from a
// database, and all it may use. Node implements it on better-sqlite3 (sqlite-direct.ts, with
// group commit), the Worker on D1 (d1-port.ts), so both runtimes run the same statements
// (turn.ts, step-statements.ts, conversation-store.ts, outbox.ts). Cold paths (the dashboard,
// partners, champions, retention, imports) use Prisma; docs/architecture.md says why.

export type SqlValue = string | number | null;

export interface SqlStatement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** What one statement of a batch did: the rows it returned (a guard, RETURNING) and the rows it changed. */
export interface SqlResult<Row = Record<string, SqlValue>> {
  readonly rows: readonly Row[];
  readonly changes: number;
}

export interface SqlPort {
  /** The first row a read returns, if any. */
  get<Row>(sql: string, ...params: SqlValue[]): Promise<Row | undefined>;
  /** Every row a read returns. */
  all<Row>(sql: string, ...params: SqlValue[]): Promise<Row[]>;
  /**
   * Runs the statements in order, atomically: all of them apply or none does. A statement that
   * fails (a guard, a unique key) rejects the batch with the driver's error, which
   * `classifyStoreError` (outcomes.ts) reads. Results come back in the statements' order.
   */
  batch(statements: readonly SqlStatement[]): Promise<SqlResult[]>;
  close(): void;
}

/** One statement run atomically on its own: how many rows it changed. */
export async function runOne(sql: SqlPort, text: string, ...params: SqlValue[]): Promise<number> {
  const [result] = await sql.batch([{ sql: text, params }]);
  return result!.changes;
}
