// One rate budget per channel on Workers, whoever sends. A resident's replies leave from their
// own Durable Object, broadcasts, updates and reminders from the Cron Trigger, each in an isolate
// of its own that knows nothing of the others; so every send first asks the channel's pacing
// Durable Object (one per channel: `PACING`, class `ChannelPacer`, named by the channel) for a
// slot. It runs the same Pacer as Node (src/channels/pacer.ts): the overall limit, the limit per
// recipient (a per-key log inside the one object), and the priorities, so a reply waits at most
// for the sends already started. A slot is counted from its grant until one window after the
// sender says it is done (the pacer's rule); one whose sender never says so is let go after
// LEASE_MS, later than any send can take.
import { Pacer, type SendPacing, type SendPriority } from "../channels/pacer.js";
import { systemClock } from "../clock.js";
import type { DurableObjectNamespace, DurableObjectState } from "./cloudflare.js";

/** Longer than a send may take (the senders' fetch times out after 10 s). */
const LEASE_MS = 30_000;

interface Limits {
  readonly perSecond: number;
  readonly perKeyPerSecond?: number;
}

interface AcquireBody {
  readonly limits: Limits;
  readonly key?: string;
  readonly priority: SendPriority;
}

const positive = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n) && n > 0;

function acquireBody(body: unknown): AcquireBody | null {
  const b = body as Partial<AcquireBody> | null;
  if (!b || typeof b !== "object" || !b.limits || !positive(b.limits.perSecond)) return null;
  if (b.limits.perKeyPerSecond !== undefined && !positive(b.limits.perKeyPerSecond)) return null;
  if (b.key !== undefined && typeof b.key !== "string") return null;
  if (b.priority !== 0 && b.priority !== 1 && b.priority !== 2) return null;
  return b as AcquireBody;
}

/** The pacing Durable Object: one per channel; its pacer lives in memory (it forgets nothing that still counts while senders wait on it). */
export class ChannelPacer {
  private pacer: Pacer | undefined;
  private limits = "";
  private readonly grants = new Map<string, () => void>();
  private nextGrant = 0;

  constructor(_state: DurableObjectState, _env: unknown) {}

  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    const body = (await request.json().catch(() => null)) as Record<string, unknown> | null;
    if (request.method !== "POST" || !body) return new Response("POST a JSON body", { status: 400 });
    if (pathname === "/acquire") {
      const asked = acquireBody(body);
      if (!asked) return new Response("limits, key and priority expected", { status: 400 });
      const release = await this.pacerFor(asked.limits).acquire(asked.key, asked.priority);
      const grant = String(++this.nextGrant);
      const lease = setTimeout(() => this.release(grant), LEASE_MS);
      this.grants.set(grant, () => {
        clearTimeout(lease);
        release();
      });
      return Response.json({ grant });
    }
    if (pathname === "/release" && typeof body.grant === "string") {
      this.release(body.grant);
      return new Response(null, { status: 204 });
    }
    if (pathname === "/pause" && positive(body.ms)) {
      this.pacer?.pause(Math.min(body.ms, 3_600_000));
      return new Response(null, { status: 204 });
    }
    return new Response("unknown pacing request", { status: 400 });
  }

  private release(grant: string): void {
    const release = this.grants.get(grant);
    this.grants.delete(grant);
    release?.();
  }

  /** The channel's pacer, at the limits its senders give (a deploy that changes them resizes it). */
  private pacerFor(limits: Limits): Pacer {
    const wanted = JSON.stringify([limits.perSecond, limits.perKeyPerSecond]);
    if (!this.pacer) this.pacer = new Pacer(limits, () => systemClock().getTime());
    else if (wanted !== this.limits) this.pacer.resize(limits);
    this.limits = wanted;
    return this.pacer;
  }
}

/** A channel's sends paced by its pacing Durable Object, for the outbox dispatcher. */
export function pacingObject(namespace: DurableObjectNamespace, channel: string, limits: Limits): SendPacing {
  const call = (path: string, body: unknown) =>
    namespace
      .get(namespace.idFromName(channel))
      .fetch(new Request(`https://pacing${path}`, { method: "POST", body: JSON.stringify(body) }));
  /** Release and pause only free slots sooner: if the call fails, the lease lets the slot go. */
  const tell = async (path: string, body: unknown) => {
    try {
      await (await call(path, body)).body?.cancel();
    } catch {
      // The object lets the slot go after LEASE_MS; a pause is missed, and the platform's 429 is believed again.
    }
  };
  return {
    async acquire(key, priority = 0) {
      const response = await call("/acquire", { limits, ...(key === undefined ? {} : { key }), priority });
      if (!response.ok) throw new Error(`pacing object answered ${response.status}`);
      const { grant } = (await response.json()) as { grant: string };
      return () => tell("/release", { grant });
    },
    pause: (ms) => tell("/pause", { ms }),
  };
}
