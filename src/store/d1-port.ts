// The SQL port on Cloudflare D1. A batch is D1's unit of atomicity: its statements run in one
// implicit transaction, and the first that fails rolls all of them back.
import type { D1Database } from "./d1-types.js";
import type { SqlPort, SqlResult, SqlStatement, SqlValue } from "./sql-port.js";

export function d1Port(db: D1Database): SqlPort {
  return {
    async get<Row>(sql: string, ...params: SqlValue[]) {
      return (
        (await db
          .prepare(sql)
          .bind(...params)
          .first<Row>()) ?? undefined
      );
    },
    async all<Row>(sql: string, ...params: SqlValue[]) {
      return (
        await db
          .prepare(sql)
          .bind(...params)
          .all<Row>()
      ).results;
    },
    async batch(statements: readonly SqlStatement[]): Promise<SqlResult[]> {
      if (statements.length === 0) return [];
      const results = await db.batch<Record<string, SqlValue>>(
        statements.map((s) => db.prepare(s.sql).bind(...s.params)),
      );
      return results.map((r) => ({ rows: r.results ?? [], changes: r.meta?.changes ?? 0 }));
    },
    close() {},
  };
}
