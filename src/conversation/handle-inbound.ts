// The host around the engine: one inbound message in, the replies out. It finds the contact
// by keyed hash, applies the always-on keywords (STOP, START, HELP) before any flow, runs one
// engine step and commits everything the step decided in one transaction: the session, the
// answers, the contact's changes, the platform's message id (so a retried webhook is a
// no-op) and the replies to send (the outbox). Channels call this; so does the simulator.
import { randomInt } from "node:crypto";
import { detectKeyword } from "../engine/keywords.js";
import { normaliseReply } from "../engine/text.js";
import { remind as remindStep, step } from "../engine/step.js";
import { interpolate, localise } from "../engine/text.js";
import type {
  DirectoryLookup,
  Effect,
  EngineInput,
  FlowRegistry,
  LocalisedText,
  SessionState,
  SignpostService,
} from "../engine/types.js";
import { detectUrgentNeeds, type UrgentLexicon } from "../directory/urgent.js";
import type { Logger } from "../log.js";
import { RateLimiter, type RateDecision } from "../rate-limit.js";
import type { AddressCrypto } from "../store/address-crypto.js";
import type { ResidentRelays } from "../store/relay-store.js";
import { OFFERS_KEY } from "../store/rollups.js";
import type {
  ContactChanges,
  ContactRecord,
  ConversationStore,
  NewAnswer,
  NewOutboxMessage,
  StepCommit,
} from "../store/types.js";
import { toAnswer, type TextAnalyser } from "./answers.js";
import { KeyedQueue } from "./keyed-queue.js";
import { myDataJson, myDataText } from "./my-data.js";
import { normaliseReferralCode } from "../champions/codes.js";
import { hostMessages } from "./messages.js";
import { isOutbound, type OutboundEffect } from "./render-plain.js";

export interface ConversationSettings {
  readonly privacyNoticeVersion: string;
  /** Offered languages; the first is the default for new contacts. */
  readonly languages: readonly string[];
  readonly organisationName: string;
  /** Values for `{name}` placeholders in flow texts. */
  readonly variables: Readonly<Record<string, string>>;
  /** Per language, values that replace them (the Welsh privacy page, the Welsh name). */
  readonly languageVariables?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface ConversationDeps {
  readonly store: ConversationStore;
  readonly registry: FlowRegistry;
  readonly addressCrypto: AddressCrypto;
  readonly settings: ConversationSettings;
  readonly now: () => Date;
  /** A new resident's record key, 0-255 (consistent perturbation); random unless a test fixes it. */
  readonly recordKey?: () => number;
  readonly newId: () => string;
  readonly log: Logger;
  /** The services directory as it is now (it can be reloaded after an import). */
  readonly directory?: () => (DirectoryLookup & CrisisLookup) | undefined;
  /** Phrases that signal an urgent need, answered with crisis services first in every flow. */
  readonly urgent?: UrgentLexicon;
  /** Redacts and tags free-text answers before they are stored for analysis. */
  readonly analyse?: TextAnalyser;
  /** Messages per minute one resident may send; more are politely refused and not processed. */
  readonly messagesPerMinute?: number;
  /** UPDATES: the "you said, we did" updates published for an area, as a message in the resident's language. */
  readonly updatesFor?: (area: string | null, language: string) => Promise<string>;
  /** Warm handoffs to local groups after an offer (docs/relays.md); without it, groups are only listed. */
  readonly relays?: ResidentRelays;
  /** The audit log (who, what, when; never a message's text). */
  readonly audit?: (actor: string, action: string, detail: Record<string, unknown>) => Promise<void>;
}

/** How long after the groups are shown a resident can ask one by its number (the offers flow's own expiry). */
const RELAY_ASK_MS = 3 * 24 * 3_600_000;
/** How long after a group's message a resident's plain reply goes back to it. */
const RELAY_REPLY_MS = 7 * 24 * 3_600_000;
/** "No thanks" to a group: ends the relay it is about. */
const NO_THANKS = /^(no thanks?|no thank you|dim diolch|na diolch)$/;
/** "CONTACT 2", "CYSYLLTU 2", "/contact 2", or a Telegram button's `relay:2`. */
const RELAY_ASK = /^\/?(?:contact|cysylltu)\s*([1-9])$/i;

export type { TextAnalyser } from "./answers.js";

/** The answer key whose value breaks insight down by age. */
export const AGE_BAND_KEY = "age_band";

export interface CrisisLookup {
  crisis(kinds: readonly string[], language: string, now: Date): SignpostService[];
}

/** The flow OFFER (CYNNIG, /offer) starts in any state: what a resident could offer their area. */
export const OFFERS_FLOW_ID = "offers";

function isWelshOffer(input: EngineInput): boolean {
  return input.type === "text" && /^\/?cynnig\b/i.test(input.text.trim());
}

/** Champion and campaign codes as residents type them: "c_ab12cd", "AB12CD". */
/** Turns replies into the channel's own messages, to be stored in the outbox and sent. */
export type ReplyRenderer = (replies: readonly OutboundEffect[], contact: ContactRecord) => readonly unknown[];

export interface Inbound {
  readonly channel: string;
  /** Phone number or chat id, in clear only in memory. */
  readonly address: string;
  readonly input: EngineInput;
  /** The platform's id for this message (Telegram update_id, Twilio MessageSid): processed once. */
  readonly messageId?: string;
  /** Language the platform reports for the person (Telegram's language_code), used for new contacts. */
  readonly languageHint?: string;
  /** A champion or campaign code the resident arrived with; kept only if they have none yet. */
  readonly attribution?: string;
  /** Something the host should say first (e.g. the resident sent a photo). */
  readonly notice?: "text_only";
  /** When the platform already confirms opt-outs itself (Twilio Advanced Opt-Out): stop silently. */
  readonly quietStop?: boolean;
  /** When given, replies are rendered and queued in the outbox in the same transaction. */
  readonly render?: ReplyRenderer;
  /** The caller sends the queued replies itself right after the commit: they are stored claimed by it for this long (ms). */
  readonly claimMs?: number;
}

export interface Outcome {
  readonly contact: ContactRecord;
  /** The contact asked to be erased and has been: replies must go out without the outbox. */
  readonly erased?: boolean;
  /** A copy of the resident's data (MYDATA), for channels that can send a file. */
  readonly export?: { readonly filename: string; readonly json: string };
  /** The message id was seen before: nothing was done and nothing should be said. */
  readonly duplicate: boolean;
  /** What to say, in order: `send` texts and `ask` questions for the channel to render. */
  readonly replies: readonly OutboundEffect[];
  /** The rendered replies queued in the outbox (when a renderer was given), to dispatch now. */
  readonly queued: readonly NewOutboxMessage[];
  /** Every engine effect of the step. */
  readonly effects: readonly Effect[];
}

const ADMITTED: RateDecision = { allowed: true, retryAfterMs: 0, firstRefusal: false };
/**
 * NUL and other control characters carry nothing a resident meant, and would be stored with a
 * free-text answer for CSV exports and dashboards to trip over; line breaks and tabs stay.
 */
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
const MAX_ATTEMPTS = 5;

export class ConversationService {
  private readonly queue = new KeyedQueue();
  private readonly arrivals = new KeyedQueue();

  private readonly limiter: RateLimiter | undefined;

  constructor(private readonly deps: ConversationDeps) {
    this.limiter = deps.messagesPerMinute
      ? new RateLimiter(deps.messagesPerMinute, 60_000, () => deps.now().getTime())
      : undefined;
  }

  /**
   * Starts a flow for a contact without a message from them (a broadcast). Contacts in the
   * middle of another conversation are left alone ("busy"). Replies are queued in the outbox,
   * not before `notBefore`, with idempotency keys `<key>:<n>`; nothing is queued twice for one key.
   */
  async startFlowFor(
    contact: ContactRecord,
    flowId: string,
    options: {
      render: ReplyRenderer;
      notBefore: Date;
      key: string;
      /** Sent before the flow's first message (e.g. the text of an update). */
      prefix?: readonly OutboundEffect[];
      /** For a contact mid-conversation: leave them alone ("skip", the default) or send only the prefix, without starting the flow. */
      whenBusy?: "skip" | "prefix_only";
    },
  ): Promise<"queued" | "busy" | "stopped" | "duplicate"> {
    const queue = (replies: readonly OutboundEffect[]): NewOutboxMessage[] =>
      this.outboxRows(options.render(replies, contact), contact, {
        key: options.key,
        notBefore: options.notBefore,
        kind: "broadcast",
      });
    return this.queue.run(`${contact.channel}:${contact.addressHash}`, async () => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const now = this.deps.now();
        const session = await this.deps.store.loadSession(contact.id);
        if (await this.deps.store.seenInbound(options.key)) return "duplicate";
        if (session && session.state.expiresAt > now.toISOString()) {
          if (options.whenBusy !== "prefix_only" || !options.prefix?.length) return "busy";
          // The conversation they are in carries on; only the prefix is sent.
          const committed = await this.deps.store.commitStep({
            contact,
            now,
            contactChanges: {},
            answers: [],
            inbound: { id: options.key, channel: contact.channel },
            outbox: queue(options.prefix),
          });
          if (committed === "duplicate") return "duplicate";
          return "busy";
        }
        const result = step(this.engineContext(now, contact, this.deps.directory?.()), null, { type: "start", flowId });
        const outbox = queue([...(options.prefix ?? []), ...result.effects.filter(isOutbound)]);
        const committed = await this.deps.store.commitStep({
          contact,
          now,
          contactChanges: {},
          session: { expectedVersion: session?.version ?? null, next: result.session, newId: this.deps.newId() },
          answers: [],
          // The broadcast key is recorded like an inbound id: running the same broadcast twice queues nothing new.
          inbound: { id: options.key, channel: contact.channel },
          outbox,
        });
        if (committed === "ok") return "queued";
        if (committed === "duplicate") return "duplicate";
      }
      throw new Error("Conversation kept changing underneath the broadcast");
    });
  }

  /**
   * Queues the gentle reminder of the question a contact's conversation waits on, if it is due
   * now (engine `remind`): once per conversation and question (the idempotency key
   * `reminder:<contact>:<conversation start>:<question>`), as proactive traffic (kind
   * "reminder"). Quiet hours are the caller's to respect (see reminders.ts).
   */
  async remindIfDue(contact: ContactRecord, render: ReplyRenderer): Promise<"queued" | "not_due" | "duplicate"> {
    return this.queue.run(`${contact.channel}:${contact.addressHash}`, async () => {
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        const now = this.deps.now();
        const session = await this.deps.store.loadSession(contact.id);
        if (!session || contact.status !== "active" || contact.consentVersion === null) return "not_due";
        const result = remindStep(this.engineContext(now, contact, undefined), session.state);
        if (!result) return "not_due";
        const { flowId, nodeId, startedAt } = session.state;
        const key = `reminder:${contact.id}:${startedAt}:${flowId}:${nodeId}`;
        const committed = await this.deps.store.commitStep({
          contact,
          now,
          contactChanges: {},
          session: { expectedVersion: session.version, next: result.session, newId: this.deps.newId() },
          answers: [],
          inbound: { id: key, channel: contact.channel },
          outbox: this.outboxRows(render(result.effects.filter(isOutbound), contact), contact, {
            key,
            notBefore: now,
            kind: "reminder",
          }),
        });
        if (committed === "ok") return "queued";
        if (committed === "duplicate") return "duplicate";
        // The resident answered meanwhile: read again (the reminder is then no longer due).
      }
      return "not_due";
    });
  }

  /**
   * Queues a message for a contact that is not a reply (a group's message through a relay), as
   * proactive traffic not before `notBefore`, once per key; nothing for a stopped contact.
   */
  async notify(
    contact: ContactRecord,
    replies: readonly OutboundEffect[],
    options: { render: ReplyRenderer; notBefore: Date; key: string; kind: "relay" },
  ): Promise<"queued" | "stopped" | "duplicate"> {
    return this.queue.run(`${contact.channel}:${contact.addressHash}`, async () => {
      if (contact.status !== "active") return "stopped";
      const committed = await this.deps.store.commitStep({
        contact,
        now: this.deps.now(),
        contactChanges: {},
        answers: [],
        inbound: { id: options.key, channel: contact.channel },
        outbox: this.outboxRows(options.render(replies, contact), contact, options),
      });
      return committed === "duplicate" ? "duplicate" : "queued";
    });
  }

  async handle(inbound: Inbound): Promise<Outcome> {
    // A message takes its place in its sender's line as it arrives: hashing the address is
    // asynchronous and can finish out of order, so the line is keyed by the address itself
    // (in memory only) until the hash is known.
    const input =
      inbound.input.type === "text"
        ? { ...inbound.input, text: inbound.input.text.replace(CONTROL_CHARACTERS, "") }
        : inbound.input;
    return this.arrivals.run(`${inbound.channel}:${inbound.address}`, () => this.handleInTurn({ ...inbound, input }));
  }

  private async handleInTurn(inbound: Inbound): Promise<Outcome> {
    const addressHash = await this.deps.addressCrypto.hash(inbound.channel, inbound.address);
    return this.queue.run(`${inbound.channel}:${addressHash}`, async () => {
      // Mid-rotation, a resident first seen under an earlier key is moved to the current one.
      const previous = await this.deps.addressCrypto.previousHashes(inbound.channel, inbound.address);
      if (previous.length > 0)
        await this.deps.store.rekeyContact(
          inbound.channel,
          previous,
          addressHash,
          await this.deps.addressCrypto.encrypt(inbound.address),
        );
      // Decided once per message, however many times a version conflict makes us re-run it.
      let decision: RateDecision | undefined;
      const admit = () => (decision ??= this.limiter?.take(`${inbound.channel}:${addressHash}`) ?? ADMITTED);
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.attempt(inbound, addressHash, admit);
        if (outcome) return outcome;
        // Another process moved this conversation on between our read and write: read again.
        this.deps.log.debug("session version conflict, retrying", { channel: inbound.channel, attempt });
        if (attempt >= MAX_ATTEMPTS) throw new Error("Conversation kept changing underneath this message");
      }
    });
  }

  /** The label of option `id` of the question stored under `key`, in a language, from the flows. */
  private optionLabel(key: string, id: string, language: string): string | undefined {
    for (const flow of this.deps.registry.flows.values()) {
      for (const node of flow.nodes) {
        if (node.type !== "question" || node.key !== key) continue;
        if (node.input.kind !== "single_choice" && node.input.kind !== "multi_choice") continue;
        const option = node.input.options.find((o) => o.id === id);
        if (option) return localise(option.label, language);
      }
    }
    return undefined;
  }

  /** What the engine is told about the world for one step. */
  private engineContext(
    now: Date,
    contact: ContactRecord,
    directory: DirectoryLookup | undefined,
  ): Parameters<typeof step>[0] {
    const { settings } = this.deps;
    return {
      registry: this.deps.registry,
      now,
      contact: { language: contact.language, area: contact.area, consentVersion: contact.consentVersion },
      privacyNoticeVersion: settings.privacyNoticeVersion,
      variables: settings.variables,
      ...(settings.languageVariables ? { languageVariables: settings.languageVariables } : {}),
      languages: settings.languages,
      ...(directory ? { directory } : {}),
    };
  }

  /** Rendered replies as outbox rows, keyed `<key>:<n>` so the same replies are never queued twice. */
  private outboxRows(
    payloads: readonly unknown[],
    contact: ContactRecord,
    options: { key: string; notBefore: Date; kind: NonNullable<NewOutboxMessage["kind"]>; claimedUntil?: Date },
  ): NewOutboxMessage[] {
    return payloads.map((payload, index) => ({
      id: this.deps.newId(),
      contactId: contact.id,
      channel: contact.channel,
      payload,
      idempotencyKey: `${options.key}:${index}`,
      notBefore: options.notBefore,
      kind: options.kind,
      ...(options.claimedUntil ? { claimedUntil: options.claimedUntil } : {}),
    }));
  }

  /** MYDATA: what is held, in plain words, plus a JSON copy for channels that can send files. */
  private async myData(
    contact: ContactRecord,
    say: (t: LocalisedText) => OutboundEffect,
    finish: (r: OutboundEffect[]) => Promise<Outcome | undefined>,
  ): Promise<Outcome | undefined> {
    const answers = await this.deps.store.answersOf(contact.id);
    const relays = (await this.deps.relays?.ofContact(contact.id)) ?? [];
    const label = (key: string, id: string, language: string) => this.optionLabel(key, id, language);
    const outcome = await finish([
      say(hostMessages.myDataIntro),
      { type: "send", text: myDataText(contact, answers, label, relays) },
      say(hostMessages.myDataOutro),
    ]);
    if (!outcome) return undefined;
    const json = myDataJson(contact, answers, relays);
    return { ...outcome, export: { filename: "placevoice-my-data.json", json } };
  }

  private async attempt(
    inbound: Inbound,
    addressHash: string,
    admit: () => RateDecision,
  ): Promise<Outcome | undefined> {
    const { store, settings } = this.deps;
    const now = this.deps.now();
    const inboundRef = inbound.messageId
      ? { id: `${inbound.channel}:${inbound.messageId}`, channel: inbound.channel }
      : undefined;
    const hint = inbound.languageHint?.slice(0, 2).toLowerCase();
    // The contact, its session and whether this message was seen, in one read. The address is
    // encrypted (for replies) only when the contact is new.
    const turn = await store.openTurn(inbound.channel, addressHash, inboundRef?.id);
    const contact =
      turn.contact ??
      (await store.findOrCreateContact({
        id: this.deps.newId(),
        channel: inbound.channel,
        addressHash,
        addressEnc: await this.deps.addressCrypto.encrypt(inbound.address),
        language: hint && settings.languages.includes(hint) ? hint : (settings.languages[0] ?? "en"),
        recordKey: this.deps.recordKey?.() ?? randomInt(256),
        createdAt: now,
      }));
    const duplicate = (): Outcome => ({ contact, duplicate: true, replies: [], queued: [], effects: [] });
    if (turn.seen) return duplicate();

    const keyword = inbound.input.type === "text" ? detectKeyword(inbound.input.text)?.keyword : undefined;
    const say = (text: LocalisedText, language = contact.language): OutboundEffect => ({
      type: "send",
      text: interpolate(localise(text, language), {
        ...settings.variables,
        organisation: settings.organisationName,
        ...settings.languageVariables?.[language],
      }),
    });
    const changes: ContactChanges = {};
    // The first code a resident arrives with is kept; later ones are counted as touches.
    let touch: StepCommit["touch"];
    /** The flow a campaign code starts instead of the entry flow (a poster asking what people could offer). */
    let campaignFlow: string | undefined;
    if (inbound.attribution) {
      const code = normaliseReferralCode(inbound.attribution);
      const known = await store.referralCode(code);
      if (known) {
        if (!contact.attribution) changes.attribution = code;
        else if (contact.attribution !== code) touch = { id: this.deps.newId(), code };
        if (known.flowId && this.deps.registry.flows.has(known.flowId)) campaignFlow = known.flowId;
      }
    }

    /** Commits a step and renders/queues its replies; undefined on a version conflict. */
    const finish = async (
      replies: OutboundEffect[],
      effects: readonly Effect[],
      commit: Omit<StepCommit, "contact" | "now" | "contactChanges" | "inbound" | "outbox">,
      kind: NewOutboxMessage["kind"] = "reply",
    ): Promise<Outcome | undefined> => {
      const updated = applyChanges(contact, changes, now);
      const queued: NewOutboxMessage[] = inbound.render
        ? this.outboxRows(inbound.render(replies, updated), contact, {
            key: inboundRef?.id ?? `${contact.channel}:${this.deps.newId()}`,
            notBefore: now,
            kind,
            ...(inbound.claimMs ? { claimedUntil: new Date(now.getTime() + inbound.claimMs) } : {}),
          })
        : [];
      const completions = effects
        .filter((e) => e.type === "end" && e.reason === "completed")
        .map((e) => ({ id: this.deps.newId(), flowId: (e as { flowId: string }).flowId }));
      const result = await store.commitStep({
        contact,
        now,
        contactChanges: changes,
        ...commit,
        ...(inboundRef ? { inbound: inboundRef } : {}),
        outbox: queued,
        completions,
        ...(touch ? { touch } : {}),
      });
      if (result === "conflict") return undefined;
      if (result === "duplicate") return duplicate();
      return { contact: updated, duplicate: false, replies, queued, effects };
    };

    if (keyword === "stop") {
      // STOP ends every relay: no group can send anything more.
      const ended = await this.deps.relays?.endAll(contact.id, now);
      if (ended) await this.deps.audit?.("resident", "relay.stopped", { relays: ended });
      if (contact.status === "stopped") return finish([], [], { answers: [] });
      Object.assign(changes, { status: "stopped", stoppedAt: now });
      this.deps.log.info("contact stopped", { channel: contact.channel, contact: contact.id });
      return finish(inbound.quietStop ? [] : [say(hostMessages.stopped)], [], { answers: [] }, "opt_out_confirmation");
    }

    // Too many messages in a minute: not processed (a flood must not run the flow or fill the
    // database), but recorded as handled so the platform does not redeliver it. The resident is
    // told once, politely; STOP above and DELETE below are always honoured.
    if (keyword !== "delete") {
      const decision = admit();
      if (!decision.allowed) {
        if (decision.firstRefusal)
          this.deps.log.warn("resident over the message rate limit; excess not processed", {
            channel: contact.channel,
          });
        return finish(decision.firstRefusal && contact.status === "active" ? [say(hostMessages.slowDown)] : [], [], {
          answers: [],
        });
      }
    }

    if (keyword === "updates" && this.deps.updatesFor && contact.status === "active") {
      return finish([{ type: "send", text: await this.deps.updatesFor(contact.area, contact.language) }], [], {
        answers: [],
      });
    }
    if (keyword === "mydata") return this.myData(contact, say, (replies) => finish(replies, [], { answers: [] }));
    if (keyword === "delete") {
      const confirmed = inbound.input.type === "text" && detectKeyword(inbound.input.text)?.argument === "yes";
      if (!confirmed) return finish([say(hostMessages.deleteConfirm)], [], { answers: [] });
      await store.eraseContact(contact.id);
      if (inboundRef) await store.recordInbound(inboundRef.id, inboundRef.channel, now);
      // Logged without anything that could identify the person.
      this.deps.log.info("contact erased at their request", { channel: contact.channel });
      return { contact, erased: true, duplicate: false, replies: [say(hostMessages.deleted)], queued: [], effects: [] };
    }

    if (this.deps.relays && contact.status === "active" && keyword === undefined) {
      const live = turn.contact ? turn.session : null;
      const relayed = await this.relayTurn(contact, inbound.input, live, now, say, (replies) =>
        finish(replies, [], { answers: [] }),
      );
      if (relayed !== "not_relay") return relayed;
    }

    let input = inbound.input;
    const prefix: OutboundEffect[] = [];
    if (contact.status === "stopped") {
      if (keyword === "help")
        return finish([say(hostMessages.helpWhileStopped)], [], { answers: [] }, "opt_out_confirmation");
      // Silence until the resident opts back in; nothing they send is stored meanwhile.
      // START, YES, DECHRAU, IE: and "start again" too, in either language.
      if (keyword !== "start" && keyword !== "restart") return finish([], [], { answers: [] });
      Object.assign(changes, { status: "active", stoppedAt: null });
      prefix.push(say(hostMessages.resumed));
      input = { type: "resume" };
    } else if (keyword === "help") {
      input = { type: "help" };
    } else if (campaignFlow && input.type === "start") {
      // Like OFFER: the campaign's flow, then on with any conversation it interrupted.
      input = { type: "aside", flowId: campaignFlow };
    } else if (keyword === "offer" && this.deps.registry.flows.has(OFFERS_FLOW_ID)) {
      input = { type: "aside", flowId: OFFERS_FLOW_ID };
      // Someone new who writes CYNNIG is answered in Welsh.
      if (!contact.consentVersion && settings.languages.includes("cy") && isWelshOffer(inbound.input))
        changes.language = "cy";
    }
    if (inbound.notice === "text_only") prefix.push(say(hostMessages.textOnly));
    const directory = this.deps.directory?.();
    if (inbound.input.type === "text" && this.deps.urgent && directory) {
      // Someone who may need help right now hears where to get it first, whatever else is going on.
      const kinds = detectUrgentNeeds(this.deps.urgent, inbound.input.text);
      const services =
        kinds.length > 0
          ? directory.crisis(
              kinds.map((k) => k.id),
              contact.language,
              now,
            )
          : [];
      if (services.length > 0) {
        this.deps.log.info("urgent need: crisis services offered", {
          channel: contact.channel,
          kinds: kinds.map((k) => k.id).join(","),
        });
        prefix.push({
          type: "signpost",
          flowId: "",
          nodeId: "urgent",
          text: kinds.map((k) => localise(k.intro, contact.language)).join(" "),
          services,
          fallback: [],
        });
      }
    }

    // A contact created just now may have been created (and its conversation begun) by another process.
    const session = turn.contact ? turn.session : await store.loadSession(contact.id);
    const result = step(
      this.engineContext(now, changes.language ? { ...contact, language: changes.language } : contact, directory),
      session?.state ?? null,
      input,
    );

    const answers: NewAnswer[] = [];
    let ageBand: StepCommit["ageBand"];
    const knownAgeBand = result.session?.answers[AGE_BAND_KEY] ?? session?.state.answers[AGE_BAND_KEY];
    for (const effect of result.effects) {
      if (effect.type === "save_answer") {
        answers.push(
          await toAnswer(effect, typeof knownAgeBand === "string" ? knownAgeBand : undefined, this.deps, {
            // What someone could give is redacted like any answer, but is not a priority of theirs.
            priorities: effect.flowId !== OFFERS_FLOW_ID,
          }),
        );
        if (effect.key === AGE_BAND_KEY && typeof effect.value === "string") {
          const since = session?.state.startedAt ?? result.session?.startedAt;
          ageBand = { value: effect.value, flowId: effect.flowId, since: since ? new Date(since) : now };
        }
      } else if (effect.type === "set_field") changes[effect.field] = effect.value;
      else if (effect.type === "record_consent")
        Object.assign(changes, { consentVersion: effect.version, consentAt: now });
      else if (effect.type === "record_consent_refusal")
        Object.assign(changes, { consentRefusedVersion: effect.version, consentRefusedAt: now });
    }
    const offer = completedOffer(result.effects, session?.state ?? null);
    const replies = result.effects.filter(isOutbound);
    const shown = this.deps.relays ? this.groupsShown(replies) : undefined;
    if (shown)
      replies.splice(
        replies.indexOf(shown) + 1,
        0,
        this.relayAsk(
          hostMessages.relayAsk,
          shown.services.map((g, i) => ({ position: i + 1, name: g.name })),
          contact.language,
          say,
        ),
      );
    const outcome = await finish([...prefix, ...replies], result.effects, {
      session: { expectedVersion: session?.version ?? null, next: result.session, newId: this.deps.newId() },
      answers,
      ...(ageBand ? { ageBand } : {}),
      ...(offer ? { offer: { kinds: offer, factIds: offer.map(() => this.deps.newId()) } } : {}),
    });
    if (outcome && !outcome.duplicate && shown) {
      // What the group would see if the resident asks it: area, what, when; nothing else.
      const answer = (key: string): unknown => {
        const saved = result.effects.find((e) => e.type === "save_answer" && e.key === key);
        return saved?.type === "save_answer" ? saved.value : session?.state.answers[key];
      };
      const kinds = answer(OFFERS_KEY);
      const when = answer("offer_when");
      await this.deps.relays!.suggest(
        contact.id,
        shown.services.map((g) => ({ id: g.id, name: g.name })),
        {
          area: outcome.contact.area,
          kinds: Array.isArray(kinds) ? kinds.map(String) : [],
          when: typeof when === "string" ? when : null,
        },
        now,
      );
    }
    return outcome;
  }

  /** The list of local groups in a step's replies (the offers flow's `groups` node), if any. */
  private groupsShown(replies: readonly OutboundEffect[]): Extract<OutboundEffect, { type: "signpost" }> | undefined {
    return replies.find(
      (r): r is Extract<OutboundEffect, { type: "signpost" }> =>
        r.type === "signpost" &&
        r.services.length > 0 &&
        this.deps.registry.flows.get(r.flowId)?.nodes.find((n) => n.id === r.nodeId)?.type === "groups",
    );
  }

  /** "Would you like one of them to get in touch?": a button per group on Telegram, numbers on SMS. */
  private relayAsk(
    question: LocalisedText,
    groups: readonly { position: number; name: string }[],
    language: string,
    say: (t: LocalisedText) => OutboundEffect,
  ): OutboundEffect {
    const intro = say(question) as Extract<OutboundEffect, { type: "send" }>;
    return {
      type: "ask",
      flowId: "",
      nodeId: "relay",
      key: "relay",
      kind: "single_choice",
      text: intro.text,
      options: groups.map((g) => ({
        id: String(g.position),
        label: interpolate(localise(hostMessages.relayAskOption, language), { group: g.name }),
        payload: `relay:${g.position}`,
      })),
      step: 0,
      refresh: false,
      reprompt: false,
    };
  }

  /**
   * A resident's message about a relay, outside a conversation: asking a group shown after their
   * offer to get in touch (its number, CONTACT 2, or its button), saying no thanks to a group,
   * or answering the group that wrote last. "not_relay" when it is none of these.
   */
  private async relayTurn(
    contact: ContactRecord,
    input: EngineInput,
    session: { state: SessionState } | null,
    now: Date,
    say: (t: LocalisedText) => OutboundEffect,
    finish: (replies: OutboundEffect[]) => Promise<Outcome | undefined>,
  ): Promise<Outcome | undefined | "not_relay"> {
    const relays = this.deps.relays!;
    const inConversation = session !== null && session.state.expiresAt > now.toISOString();
    const text = input.type === "text" ? input.text.trim() : undefined;
    const sayWith = (t: LocalisedText, group: string): OutboundEffect => {
      const said = say(t) as Extract<OutboundEffect, { type: "send" }>;
      return { type: "send", text: said.text.replace("{group}", group) };
    };
    const since = (ms: number) => new Date(now.getTime() - ms);
    let position: number | undefined;
    if (input.type === "button") position = Number(/^relay:([1-9])$/.exec(input.payload)?.[1] ?? NaN);
    else if (text) {
      const asked = RELAY_ASK.exec(text);
      if (asked) position = Number(asked[1]);
      else if (!inConversation && /^[1-9]$/.test(text) && (await relays.anyShown(contact.id, since(RELAY_ASK_MS))))
        position = Number(text);
    }
    if (position !== undefined && !Number.isNaN(position)) {
      const relay = await relays.shown(contact.id, position, since(RELAY_ASK_MS));
      if (!relay) return finish([say(hostMessages.relayNotShown)]);
      if (await relays.suspended(relay.groupId)) return finish([sayWith(hostMessages.relaySuspended, relay.groupName)]);
      if (relay.status !== "open") {
        await relays.open(relay.id, now);
        await this.deps.audit?.("resident", "relay.open", { relay: relay.id, group: relay.groupId });
      }
      const replies = [sayWith(hostMessages.relayAsked, relay.groupName)];
      // A pressed button's keyboard goes: the groups not yet asked come back as new buttons.
      const others =
        input.type === "button"
          ? (await relays.stillShown(contact.id, since(RELAY_ASK_MS))).filter((r) => r.id !== relay.id)
          : [];
      if (others.length > 0)
        replies.push(
          this.relayAsk(
            hostMessages.relayAskAnother,
            others.map((r) => ({ position: r.position, name: r.groupName })),
            contact.language,
            say,
          ),
        );
      return finish(replies);
    }
    if (!text || inConversation) return "not_relay";
    if (NO_THANKS.test(normaliseReply(text))) {
      const relay = await relays.current(contact.id, since(RELAY_REPLY_MS), true);
      if (!relay) return "not_relay";
      await relays.end(relay.id, "declined", now);
      await this.deps.audit?.("resident", "relay.declined", { relay: relay.id, group: relay.groupId });
      return finish([sayWith(hostMessages.relayEnded, relay.groupName)]);
    }
    const relay = await relays.current(contact.id, since(RELAY_REPLY_MS));
    if (!relay) return "not_relay";
    const messageId = await relays.addMessage(relay.id, "resident", text.slice(0, 1000), now);
    // Audited without the text: who (the resident, unnamed), which relay, when.
    await this.deps.audit?.("resident", "relay.message", { relay: relay.id, group: relay.groupId, message: messageId });
    return finish([sayWith(hostMessages.relaySent, relay.groupName)]);
  }
}

/**
 * What a resident could offer, when this step completed the offers flow: counted then, in the
 * area known by the end (asked last), not when the question was answered.
 */
function completedOffer(effects: readonly Effect[], before: SessionState | null): string[] | undefined {
  if (!effects.some((e) => e.type === "end" && e.flowId === OFFERS_FLOW_ID && e.reason === "completed"))
    return undefined;
  const saved = effects.find(
    (e): e is Extract<Effect, { type: "save_answer" }> => e.type === "save_answer" && e.key === OFFERS_KEY,
  );
  const value = saved ? saved.value : before?.flowId === OFFERS_FLOW_ID ? before.answers[OFFERS_KEY] : undefined;
  const kinds = Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  return kinds.length > 0 ? kinds : undefined;
}

function applyChanges(contact: ContactRecord, changes: ContactChanges, now: Date): ContactRecord {
  return {
    ...contact,
    ...(changes.language ? { language: changes.language } : {}),
    ...(changes.area ? { area: changes.area } : {}),
    ...(changes.consentVersion ? { consentVersion: changes.consentVersion, consentAt: now } : {}),
    ...(changes.consentRefusedVersion
      ? { consentRefusedVersion: changes.consentRefusedVersion, consentRefusedAt: now }
      : {}),
    ...(changes.status ? { status: changes.status } : {}),
    ...(changes.attribution ? { attribution: changes.attribution } : {}),
  };
}
