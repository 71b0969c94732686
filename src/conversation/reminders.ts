// One gentle reminder: a resident who stopped half-way through a question that has
// `remind_after` hears it once more, with its options, when that long has passed since their
// last message. Never to a stopped contact or one without consent, never once the conversation
// has expired, never in quiet hours (a reminder due at night is queued by the first run after
// they end, so it goes in the morning and is not stale if the resident answers first), and
// never twice for one question of one conversation. Run periodically (src/runtime/chores.ts).
import { reminderDue } from "../engine/step.js";
import type { FlowRegistry } from "../engine/types.js";
import type { BroadcastDeps } from "./broadcast.js";
import { isQuiet } from "./quiet-hours.js";

/** What a broadcast needs (the store, the host, the channels that can send, quiet hours), and the flows. */
export interface ReminderDeps extends BroadcastDeps {
  readonly registry: FlowRegistry;
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
