// What the webhooks count for /metrics: each inbound message's outcome and the time its step
// took. A request the webhook refuses (4xx: bad secret or signature, not an update) or fails on
// (5xx: the database busy, a bug) is counted by its status, after Hono's error handler has
// answered it.
import type { MiddlewareHandler } from "hono";
import type { ConversationService, Inbound, Outcome } from "../conversation/handle-inbound.js";
import { stopwatch, type ServiceMetrics } from "../metrics.js";

export function countWebhookErrors(metrics: ServiceMetrics | undefined, channel: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!metrics) return;
    const status = c.res.status;
    if (status >= 500) metrics.inbound.inc({ channel, outcome: "failed" });
    else if (status >= 400) metrics.inbound.inc({ channel, outcome: "refused" });
  };
}

/** Runs one inbound message through the host, timing its step and counting it handled or duplicate. */
export async function handleCounted(
  conversation: ConversationService,
  metrics: ServiceMetrics | undefined,
  inbound: Inbound,
): Promise<Outcome> {
  const elapsed = stopwatch();
  const outcome = await conversation.handle(inbound);
  if (metrics) {
    const channel = inbound.channel;
    metrics.step.observe({ channel }, elapsed());
    metrics.inbound.inc({ channel, outcome: outcome.duplicate ? "duplicate" : "handled" });
  }
  return outcome;
}
