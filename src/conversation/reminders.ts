// One gentle reminder: a resident who stopped half-way through a question that has
// `remind_after` hears it once more, with its options, when that long has passed since their
// last message. Never to a stopped contact or one without consent, never once the conversation
// has expired, never in quiet hours (a reminder due at night is queued by the first run after
// they end, so it goes in the morning and is not stale if the resident answers first), and
// never twice for one question of one conversation. Run periodically (src/runtime/chores.ts).
import { reminderDue } from "../engine/step.js";
import type { FlowRegistry } from "../engine/types.js";
import type { ConversationStore } from "../store/types.js";
import type { ConversationService, ReplyRenderer } from "./handle-inbound.js";
import { isQuiet, type QuietHours } from "./quiet-hours.js";

export interface ReminderDeps {
  readonly store: ConversationStore;
  readonly conversation: ConversationService;
  readonly registry: FlowRegistry;
  /** The renderer of each channel that can send; contacts on other channels are skipped. */
  readonly renderers: ReadonlyMap<string, ReplyRenderer>;
  readonly quietHours: QuietHours;
  readonly timezone: string;
  readonly now: () => Date;
}

export interface ReminderReport {
  readonly queued: number;
  /** In quiet hours nothing is looked at: the morning's first run sends what fell due overnight. */
  readonly quiet: boolean;
}

const PAGE = 200;

export async function queueDueReminders(deps: ReminderDeps): Promise<ReminderReport> {
  const now = deps.now();
  if (isQuiet(now, deps.quietHours, deps.timezone)) return { queued: 0, quiet: true };
  let queued = 0;
  for (const flow of deps.registry.flows.values()) {
    const soonest = Math.min(
      ...flow.nodes.map((n) => (n.type === "question" && n.remindAfterMs !== undefined ? n.remindAfterMs : Infinity)),
    );
    if (soonest === Infinity) continue;
    // Idle at least the flow's shortest remind_after: the engine decides for each question.
    const expiresBy = new Date(now.getTime() + flow.expiresAfterMs - soonest);
    let afterContactId: string | undefined;
    for (;;) {
      const page = await deps.store.idleSessions({
        flowId: flow.id,
        expiresAfter: now,
        expiresBy,
        limit: PAGE,
        ...(afterContactId ? { afterContactId } : {}),
      });
      if (page.length === 0) break;
      afterContactId = page[page.length - 1]!.contact.id;
      for (const { contact, session } of page) {
        const due = reminderDue(deps.registry, session.state);
        const render = deps.renderers.get(contact.channel);
        if (!due || due > now || !render) continue;
        if ((await deps.conversation.remindIfDue(contact, render)) === "queued") queued++;
      }
      if (page.length < PAGE) break;
    }
  }
  return { queued, quiet: false };
}
