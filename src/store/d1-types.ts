// The part of Cloudflare's D1 binding the store uses, declared here (the store's port to D1) so
// the store needs nothing from the Worker's own wiring, and the code type-checks without the
// global @cloudflare/workers-types.
export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
}
export interface D1Database {
  prepare(sql: string): D1PreparedStatement;
  batch(statements: D1PreparedStatement[]): Promise<unknown[]>;
}
