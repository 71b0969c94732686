// Broadcasts too large to queue in the dashboard's request, on Workers: the start queues the first
// page and keeps the rest (BroadcastQueues); each minute the Cron Trigger asks each broadcast's
// Durable Object (`BROADCASTS`, class `BroadcastPager`, named by the broadcast id) for its next
// pages, one call a page. Each call is an invocation of its own, with D1's query limit to itself,
// and one object per broadcast queues its pages one at a time.
import { queueNextBroadcastPage } from "../conversation/broadcast.js";
import { BROADCAST_PAGES_PER_CRON_RUN, BROADCAST_RESIDENTS_PER_PAGE } from "../runtime/chores.js";
import type { DurableObjectState, WorkerEnv } from "./cloudflare.js";
import { withRequestPrisma, workerServices, type WorkerServices } from "./services.js";

export class BroadcastPager {
  constructor(
    _state: DurableObjectState,
    private readonly env: WorkerEnv,
  ) {}

  async fetch(request: Request): Promise<Response> {
    const id = new URL(request.url).searchParams.get("id");
    if (request.method !== "POST" || !id) return new Response("POST ?id=<broadcast>", { status: 400 });
    const services = await workerServices(this.env);
    return withRequestPrisma(this.env, async () => {
      const { more } = await queueNextBroadcastPage(
        id,
        {
          ...services.appDeps.broadcasts!,
          queues: services.broadcastQueues,
          cancel: (broadcast) => services.outbox.cancelBroadcast(broadcast, services.now()),
        },
        BROADCAST_RESIDENTS_PER_PAGE,
      );
      return Response.json({ more });
    });
  }
}

/** The Cron Trigger's part: up to BROADCAST_PAGES_PER_CRON_RUN pages of each broadcast still being queued, each in its broadcast's object. */
export async function queueBroadcastPages(env: WorkerEnv, services: WorkerServices): Promise<void> {
  for (const id of await services.broadcastQueues.pending(20)) {
    const pager = env.BROADCASTS.get(env.BROADCASTS.idFromName(id));
    for (let page = 0; page < BROADCAST_PAGES_PER_CRON_RUN; page++) {
      const response = await pager.fetch(
        new Request(`https://broadcasts/page?id=${encodeURIComponent(id)}`, { method: "POST" }),
      );
      if (!response.ok) {
        services.log.error("broadcast page failed", { status: response.status });
        await response.body?.cancel();
        break;
      }
      if (!((await response.json()) as { more: boolean }).more) break;
    }
  }
}
