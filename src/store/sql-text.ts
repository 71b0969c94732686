// Statements as SQL text, for a file that `wrangler d1 execute --file` runs (the directory on
// its way to D1): each parameter written in as a literal.
import type { SqlStatement } from "./sql-port.js";
import { sqlDate } from "./step-statements.js";

export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "1" : "0";
  return `'${(value instanceof Date ? sqlDate(value) : String(value)).replace(/'/g, "''")}'`;
}

/** The statement with its `?` parameters written in (a `?` inside a quoted string or name is left alone). */
export function inlineStatement(statement: SqlStatement): string {
  let next = 0;
  const text = statement.sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\?/g, (token) => {
    if (token !== "?") return token;
    if (next >= statement.params.length) throw new Error(`more ? than parameters in: ${statement.sql.slice(0, 80)}`);
    return sqlLiteral(statement.params[next++]);
  });
  if (next !== statement.params.length) throw new Error(`fewer ? than parameters in: ${statement.sql.slice(0, 80)}`);
  return `${text};`;
}
