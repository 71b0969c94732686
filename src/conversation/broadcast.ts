// A broadcast starts a flow for every opted-in contact who matches (area, channel): never for
// stopped contacts or those who have not consented, never twice for one broadcast id, and
// queued for the morning when it is run in quiet hours. The outbox worker sends, paced.
import type { BroadcastCursor, BroadcastPlan, BroadcastQueues } from "../store/broadcast-queues.js";
import type { ContactRecord, ConversationStore } from "../store/types.js";
import type { ConversationService, ReplyRenderer } from "./handle-inbound.js";
import { nextSendTime, type QuietHours } from "./quiet-hours.js";

export interface BroadcastRequest {
  /** Names this broadcast; running it again with the same id queues nothing new. */
  readonly id: string;
  readonly flowId: string;
  readonly area?: string;
  readonly channel?: string;
}

export interface BroadcastDeps {
  readonly store: ConversationStore;
  readonly conversation: ConversationService;
  /** The renderer for each channel that can send; contacts on other channels are skipped. */
  readonly renderers: ReadonlyMap<string, ReplyRenderer>;
  readonly quietHours: QuietHours;
  readonly timezone: string;
  readonly now: () => Date;
}

export interface BroadcastReport {
  readonly matched: number;
  readonly queued: number;
  /** In the middle of another conversation: not interrupted. */
  readonly busy: number;
  /** Already queued by an earlier run of the same broadcast. */
  readonly alreadyQueued: number;
  /** On a channel that is not configured to send. */
  readonly noChannel: number;
  /** When sending may start (later than now in quiet hours). */
  readonly sendFrom: Date;
}

const PAGE = 200;

type Tally = { -readonly [K in keyof BroadcastReport]: BroadcastReport[K] };

/** Starts the broadcast's flow for one contact of its audience, and counts what became of it. */
async function queueFor(contact: ContactRecord, id: string, flowId: string, deps: BroadcastDeps, report: Tally) {
  report.matched++;
  const render = deps.renderers.get(contact.channel);
  if (!render) {
    report.noChannel++;
    return;
  }
  const outcome = await deps.conversation.startFlowFor(contact, flowId, {
    render,
    notBefore: report.sendFrom,
    key: `broadcast:${id}:${contact.id}`,
  });
  if (outcome === "queued") report.queued++;
  else if (outcome === "busy") report.busy++;
  else if (outcome === "duplicate") report.alreadyQueued++;
}

const emptyReport = (deps: BroadcastDeps): Tally => ({
  matched: 0,
  queued: 0,
  busy: 0,
  alreadyQueued: 0,
  noChannel: 0,
  sendFrom: nextSendTime(deps.now(), deps.quietHours, deps.timezone),
});

export async function runBroadcast(
  request: BroadcastRequest,
  deps: BroadcastDeps,
  onProgress?: (done: number, report: BroadcastReport) => void,
): Promise<BroadcastReport> {
  const report = emptyReport(deps);
  let afterId: string | undefined;
  for (;;) {
    const page: ContactRecord[] = await deps.store.audience({
      limit: PAGE,
      ...(request.channel ? { channel: request.channel } : {}),
      ...(request.area ? { area: request.area } : {}),
      ...(afterId ? { afterId } : {}),
    });
    if (page.length === 0) break;
    afterId = page[page.length - 1]!.id;
    for (const contact of page) await queueFor(contact, request.id, request.flowId, deps, report);
    onProgress?.(report.matched, { ...report });
  }
  return report;
}

/**
 * Queues the next `limit` residents of a broadcast's audience (its areas one after another, each
 * in contact id order) from `cursor`, and says where the page after starts (undefined: none is
 * left). Queuing a resident twice is impossible (their message's key names the broadcast), so a
 * page run again only finds them already queued.
 */
export async function queueBroadcastPage(
  plan: BroadcastPlan,
  cursor: BroadcastCursor,
  deps: BroadcastDeps,
  limit: number,
): Promise<{ report: BroadcastReport; next: BroadcastCursor | undefined }> {
  const areas = plan.areas.length > 0 ? plan.areas : [undefined];
  const report = emptyReport(deps);
  let at = cursor;
  let room = limit;
  while (room > 0 && at.areaIndex < areas.length) {
    const area = areas[at.areaIndex];
    const page = await deps.store.audience({
      limit: room,
      ...(plan.channel ? { channel: plan.channel } : {}),
      ...(area ? { area } : {}),
      ...(at.afterId ? { afterId: at.afterId } : {}),
    });
    for (const contact of page) await queueFor(contact, plan.id, plan.flowId, deps, report);
    at = page.length < room ? { areaIndex: at.areaIndex + 1 } : { areaIndex: at.areaIndex, afterId: page.at(-1)!.id };
    room -= page.length;
  }
  return { report, next: at.areaIndex < areas.length ? at : undefined };
}

/**
 * Queues the next page of a broadcast still being queued (BroadcastQueues), and moves its cursor
 * on; whether pages remain. Run one at a time per broadcast (the Worker: one Durable Object per
 * broadcast). If the broadcast was cancelled while the page was queued, what it queued is
 * cancelled too.
 */
export async function queueNextBroadcastPage(
  id: string,
  deps: BroadcastDeps & {
    readonly queues: BroadcastQueues;
    readonly cancel: (id: string) => Promise<unknown>;
  },
  limit: number,
): Promise<{ readonly report?: BroadcastReport; readonly more: boolean }> {
  const state = await deps.queues.next(id);
  if (!state) return { more: false };
  const { report, next } = await queueBroadcastPage(state.plan, state.cursor, deps, limit);
  if (await deps.queues.advance(id, state.cursor, next)) return { report, more: next !== undefined };
  if (await deps.queues.next(id)) return { report, more: true };
  await deps.cancel(id);
  return { report, more: false };
}
