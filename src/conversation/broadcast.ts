// A broadcast starts a flow for every opted-in contact who matches (area, channel): never for
// stopped contacts or those who have not consented, never twice for one broadcast id, and
// queued for the morning when it is run in quiet hours. The outbox worker sends, paced.
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

export async function runBroadcast(
  request: BroadcastRequest,
  deps: BroadcastDeps,
  onProgress?: (done: number, report: BroadcastReport) => void,
): Promise<BroadcastReport> {
  const sendFrom = nextSendTime(deps.now(), deps.quietHours, deps.timezone);
  const report = { matched: 0, queued: 0, busy: 0, alreadyQueued: 0, noChannel: 0, sendFrom };
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
    for (const contact of page) {
      report.matched++;
      const render = deps.renderers.get(contact.channel);
      if (!render) {
        report.noChannel++;
        continue;
      }
      const outcome = await deps.conversation.startFlowFor(contact, request.flowId, {
        render,
        notBefore: sendFrom,
        key: `broadcast:${request.id}:${contact.id}`,
      });
      if (outcome === "queued") report.queued++;
      else if (outcome === "busy") report.busy++;
      else if (outcome === "duplicate") report.alreadyQueued++;
    }
    onProgress?.(report.matched, { ...report });
  }
  return report;
}
