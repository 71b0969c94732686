// The host around the engine: one inbound message in, the replies out. It finds the contact
// by keyed hash, applies the always-on keywords (STOP, START, HELP) before any flow, runs one
// engine step and commits its effects in one transaction. Channels call this; so does the
// terminal simulator.
import { detectKeyword } from "../engine/keywords.js";
import { step } from "../engine/step.js";
import { interpolate, localise } from "../engine/text.js";
import type { Effect, EngineInput, FlowRegistry, SessionState } from "../engine/types.js";
import type { Logger } from "../log.js";
import type { AddressCrypto } from "../store/address-crypto.js";
import type { ContactChanges, ContactRecord, ConversationStore, NewAnswer } from "../store/types.js";
import { KeyedQueue } from "./keyed-queue.js";
import { hostMessages } from "./messages.js";
import { isOutbound, type OutboundEffect } from "./render-plain.js";

export interface ConversationSettings {
  readonly privacyNoticeVersion: string;
  /** Offered languages; the first is the default for new contacts. */
  readonly languages: readonly string[];
  readonly organisationName: string;
  /** Values for `{name}` placeholders in flow texts. */
  readonly variables: Readonly<Record<string, string>>;
}

export interface ConversationDeps {
  readonly store: ConversationStore;
  readonly registry: FlowRegistry;
  readonly addressCrypto: AddressCrypto;
  readonly settings: ConversationSettings;
  readonly now: () => Date;
  readonly newId: () => string;
  readonly log: Logger;
}

export interface Inbound {
  readonly channel: string;
  /** Phone number or chat id, in clear only in memory. */
  readonly address: string;
  readonly input: EngineInput;
  /** Language the platform reports for the person (Telegram's language_code), used for new contacts. */
  readonly languageHint?: string;
}

export interface Outcome {
  readonly contact: ContactRecord;
  /** What to say, in order: `send` texts and `ask` questions for the channel to render. */
  readonly replies: readonly OutboundEffect[];
  /** Every engine effect of the step, for hosts that need more than replies. */
  readonly effects: readonly Effect[];
}

const MAX_ATTEMPTS = 5;

export class ConversationService {
  private readonly queue = new KeyedQueue();

  constructor(private readonly deps: ConversationDeps) {}

  async handle(inbound: Inbound): Promise<Outcome> {
    const { addressCrypto } = this.deps;
    const addressHash = await addressCrypto.hash(inbound.channel, inbound.address);
    return this.queue.run(`${inbound.channel}:${addressHash}`, async () => {
      for (let attempt = 1; ; attempt++) {
        const outcome = await this.attempt(inbound, addressHash);
        if (outcome) return outcome;
        // Another process moved this conversation on between our read and write: read again.
        this.deps.log.debug("session version conflict, retrying", { channel: inbound.channel, attempt });
        if (attempt >= MAX_ATTEMPTS) throw new Error("Conversation kept changing underneath this message");
      }
    });
  }

  private async attempt(inbound: Inbound, addressHash: string): Promise<Outcome | undefined> {
    const { store, settings } = this.deps;
    const now = this.deps.now();
    const hint = inbound.languageHint?.slice(0, 2).toLowerCase();
    const contact = await store.findOrCreateContact({
      id: this.deps.newId(),
      channel: inbound.channel,
      addressHash,
      addressEnc: await this.deps.addressCrypto.encrypt(inbound.address),
      language: hint && settings.languages.includes(hint) ? hint : settings.languages[0] ?? "en",
    });
    const keyword = inbound.input.type === "text" ? detectKeyword(inbound.input.text)?.keyword : undefined;
    const say = (text: typeof hostMessages.stopped): OutboundEffect => ({
      type: "send",
      text: interpolate(localise(text, contact.language), { organisation: settings.organisationName }),
    });

    if (keyword === "stop") {
      if (contact.status === "stopped") return { contact, replies: [], effects: [] };
      const changes: ContactChanges = { status: "stopped", stoppedAt: now };
      if (!(await store.commitStep({ contact, now, contactChanges: changes, answers: [] }))) return undefined;
      this.deps.log.info("contact stopped", { channel: contact.channel, contact: contact.id });
      return { contact: { ...contact, status: "stopped" }, replies: [say(hostMessages.stopped)], effects: [] };
    }

    let input = inbound.input;
    const prefix: OutboundEffect[] = [];
    const changes: ContactChanges = {};
    if (contact.status === "stopped") {
      // Silence until the resident opts back in; nothing they send is stored meanwhile.
      if (keyword !== "start") return { contact, replies: [], effects: [] };
      Object.assign(changes, { status: "active", stoppedAt: null });
      prefix.push(say(hostMessages.resumed));
      input = { type: "resume" };
    } else if (keyword === "help") {
      input = { type: "help" };
    }

    const session = await store.loadSession(contact.id);
    const result = step(
      {
        registry: this.deps.registry,
        now,
        contact: { language: contact.language, area: contact.area, consentVersion: contact.consentVersion },
        privacyNoticeVersion: settings.privacyNoticeVersion,
        variables: settings.variables,
        languages: settings.languages,
      },
      session?.state ?? null,
      input,
    );

    const answers: NewAnswer[] = [];
    for (const effect of result.effects) {
      if (effect.type === "save_answer") answers.push({ id: this.deps.newId(), flowId: effect.flowId, questionKey: effect.key, value: effect.value });
      else if (effect.type === "set_field") changes[effect.field] = effect.value;
      else if (effect.type === "record_consent") Object.assign(changes, { consentVersion: effect.version, consentAt: now });
    }
    const committed = await store.commitStep({
      contact,
      now,
      contactChanges: changes,
      session: { expectedVersion: session?.version ?? null, next: result.session as SessionState | null, newId: this.deps.newId() },
      answers,
    });
    if (!committed) return undefined;
    const updated: ContactRecord = {
      ...contact,
      ...(changes.language ? { language: changes.language } : {}),
      ...(changes.area ? { area: changes.area } : {}),
      ...(changes.consentVersion ? { consentVersion: changes.consentVersion, consentAt: now } : {}),
      ...(changes.status ? { status: changes.status } : {}),
    };
    return { contact: updated, replies: [...prefix, ...result.effects.filter(isOutbound)], effects: result.effects };
  }
}
