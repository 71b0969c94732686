// A local group writing to a resident who asked it to get in touch (a warm handoff, docs/relays.md).
// The group never learns the resident's number or chat id: it writes here, from its partner view
// or the partner API, and the message goes to the resident on their own channel through the
// outbox, as proactive traffic after quiet hours. Refused, with a reason the group can read: a
// relay that is not the group's (the same answer as one that does not exist), one the resident
// ended (no thanks, STOP, or erased), a group an operator suspended, and a resident who has had
// the week's share of messages from groups. Every message is audited: who, when, which relay;
// never its text.
import type { ReplyRenderer } from "../conversation/handle-inbound.js";
import type { ConversationService } from "../conversation/handle-inbound.js";
import { hostMessages } from "../conversation/messages.js";
import { nextSendTime, type QuietHours } from "../conversation/quiet-hours.js";
import { interpolate, localise } from "../engine/text.js";
import type { PartnerIdentity } from "../insights/partners.js";
import type { RelayMessageRecord, RelayRecord, RelayStore } from "../store/relay-store.js";

export interface RelayServiceDeps {
  readonly relays: RelayStore;
  readonly conversation: ConversationService;
  readonly renderers: ReadonlyMap<string, ReplyRenderer>;
  readonly quietHours: QuietHours;
  readonly timezone: string;
  /** Most messages from groups one resident receives in 7 days (RELAY_WEEKLY_LIMIT). */
  readonly weeklyLimit: number;
  readonly audit: (actor: string, action: string, detail: Record<string, unknown>) => Promise<void>;
  readonly now: () => Date;
}

/** The longest message a group may send (two SMS segments with the words around it). */
export const RELAY_MAX_TEXT = 240;
const WEEK_MS = 7 * 24 * 3_600_000;

export type RelayRefusal = "not_linked" | "not_found" | "empty" | "too_long" | "suspended" | "ended" | "weekly_limit";

export const relayRefusals: Readonly<Record<RelayRefusal, { status: 400 | 403 | 404 | 409 | 429; message: string }>> = {
  not_linked: { status: 403, message: "This account is not linked to a local group. Ask the operator to link it." },
  not_found: { status: 404, message: "No such relay for your group." },
  empty: { status: 400, message: "Write a message first." },
  too_long: { status: 400, message: `Keep the message to ${RELAY_MAX_TEXT} characters (it is sent as a text).` },
  suspended: {
    status: 403,
    message: "Your group's relays are suspended by the operator: nothing can be sent until they are resumed.",
  },
  ended: {
    status: 409,
    message: "This resident has ended the conversation (no thanks or STOP). Nothing more can be sent.",
  },
  weekly_limit: {
    status: 429,
    message: "This resident has had as many messages from local groups this week as we allow. Please try next week.",
  },
};

/** A relay as its group sees it: the offer and the messages, never who. */
export type GroupRelay = RelayRecord & { messages: RelayMessageRecord[] };

export class RelayService {
  constructor(private readonly deps: RelayServiceDeps) {}

  /** The relays residents opened to the partner's group, newest first; none without a linked group. */
  async view(partner: PartnerIdentity): Promise<GroupRelay[]> {
    return partner.groupId ? this.deps.relays.forGroup(partner.groupId) : [];
  }

  /** The group's message to a resident: queued for their channel, or refused with the reason. */
  async send(
    partner: PartnerIdentity,
    relayId: string,
    text: string,
  ): Promise<{ ok: true; sendFrom: Date } | { ok: false; refusal: RelayRefusal }> {
    const refuse = async (refusal: RelayRefusal) => {
      await this.deps.audit(partner.id, "relay.refused", { relay: relayId.slice(0, 64), reason: refusal });
      return { ok: false as const, refusal };
    };
    if (!partner.groupId) return refuse("not_linked");
    const found = await this.deps.relays.ofGroup(relayId, partner.groupId);
    if (!found) return refuse("not_found");
    const body = text.trim();
    if (!body) return refuse("empty");
    if (body.length > RELAY_MAX_TEXT) return refuse("too_long");
    if (await this.deps.relays.suspended(partner.groupId)) return refuse("suspended");
    const { relay, contact } = found;
    const render = this.deps.renderers.get(contact.channel);
    if (relay.status !== "open" || contact.status !== "active" || !render) return refuse("ended");
    const now = this.deps.now();
    const received = await this.deps.relays.groupMessagesTo(contact.id, new Date(now.getTime() - WEEK_MS));
    if (received >= this.deps.weeklyLimit) return refuse("weekly_limit");
    const messageId = await this.deps.relays.addMessage(relay.id, "group", body, now);
    const sendFrom = nextSendTime(now, this.deps.quietHours, this.deps.timezone);
    const words = interpolate(localise(hostMessages.relayFromGroup, contact.language), {
      group: relay.groupName,
      text: body,
    });
    await this.deps.conversation.notify(contact, [{ type: "send", text: words }], {
      render,
      notBefore: sendFrom,
      key: `relay:${messageId}`,
      kind: "relay",
    });
    await this.deps.audit(partner.id, "relay.message", { relay: relay.id, group: relay.groupId, message: messageId });
    return { ok: true, sendFrom };
  }
}
