// The part of Cloudflare's D1 binding the store uses, declared here (the store's port to D1) so
// the store needs nothing from the Worker's own wiring, and the code type-checks without the
// global @cloudflare/workers-types.
export interface D1Result<T = Record<string, unknown>> {
  readonly results: T[];
  readonly meta?: { readonly changes?: number };
}
export interface D1PreparedStatement {
  bind(...values: unknown[]): D1PreparedStatement;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  all<T = Record<string, unknown>>(): Promise<D1Result<T>>;
}
export interface D1Database {
  prepare(sql: string): D1PreparedStatement;
  batch<T = Record<string, unknown>>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]>;
}
