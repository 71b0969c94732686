// The few Cloudflare Workers types PlaceVoice uses, declared here so the rest of the code
// type-checks with the Node and DOM libraries (no global @cloudflare/workers-types).
import type { D1Database } from "../store/d1-types.js";

export type { D1Database, D1PreparedStatement } from "../store/d1-types.js";
export interface DurableObjectId {
  toString(): string;
}
export interface DurableObjectStub {
  fetch(request: Request): Promise<Response>;
}
export interface DurableObjectNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): DurableObjectStub;
}
export interface DurableObjectState {
  readonly id: DurableObjectId;
}
export interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}
export interface ScheduledController {
  readonly cron: string;
  readonly scheduledTime: number;
}

/** The Worker's bindings: D1, the per-contact and per-channel Durable Objects, and configuration as vars and secrets. */
export interface WorkerEnv {
  readonly DB: D1Database;
  readonly CONTACTS: DurableObjectNamespace;
  readonly PACING: DurableObjectNamespace;
  readonly BROADCASTS: DurableObjectNamespace;
  readonly [name: string]: unknown;
}
