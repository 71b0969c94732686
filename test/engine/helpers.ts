// Shared helpers for the engine unit tests: build flows from inline YAML, a fixed-clock
// context, and a tiny "host" that applies contact-changing effects between steps the way
// src/conversation/handle-inbound.ts does (language, area, consent version).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { formatProblem, parseFlow } from "../../src/engine/parse-flow.js";
import { buildRegistry } from "../../src/engine/registry.js";
import { step } from "../../src/engine/step.js";
import type {
  AnswerValue,
  ContactView,
  Effect,
  EngineContext,
  EngineInput,
  Flow,
  FlowRegistry,
  SessionState,
  StepResult,
} from "../../src/engine/types.js";

export const NOW = new Date("2026-01-05T10:00:00Z");
export const PRIVACY_VERSION = "2026-01";
export const VARIABLES: Readonly<Record<string, string>> = {
  organisation: "PlaceVoice Test",
  privacy_url: "https://example.org/privacy",
};
export const DAY_MS = 24 * 60 * 60 * 1000;

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Parses inline YAML into a Flow, failing loudly (with every problem) when it does not parse. */
export function flowFrom(yaml: string, file = "test.yaml"): Flow {
  const result = parseFlow(yaml, file);
  if (!result.ok) throw new Error(`test flow does not parse:\n${result.problems.map(formatProblem).join("\n")}`);
  return result.flow;
}

export function registryOf(flows: readonly Flow[], entry: string, help?: string): FlowRegistry {
  const result = buildRegistry(flows, entry, help);
  if (!result.ok) throw new Error(`registry problems:\n${result.problems.map(formatProblem).join("\n")}`);
  return result.registry;
}

/** The shipped flows, parsed from /flows, in a registry like the server's. */
export function shippedFlows(): Flow[] {
  return ["priorities", "help", "feedback", "update-reply", "offers"].map((name) =>
    flowFrom(readFileSync(path.join(repoRoot, "flows", `${name}.yaml`), "utf8"), `flows/${name}.yaml`),
  );
}

export function shippedRegistry(): FlowRegistry {
  return registryOf(shippedFlows(), "priorities", "help");
}

export const freshContact = (over: Partial<ContactView> = {}): ContactView => ({
  language: "en",
  area: null,
  consentVersion: null,
  ...over,
});

export function makeCtx(registry: FlowRegistry, over: Partial<EngineContext> = {}): EngineContext {
  return {
    registry,
    now: NOW,
    contact: freshContact(),
    privacyNoticeVersion: PRIVACY_VERSION,
    variables: VARIABLES,
    languages: ["en", "cy"],
    ...over,
  };
}

export type AskEffect = Extract<Effect, { type: "ask" }>;

export const asks = (effects: readonly Effect[]): AskEffect[] =>
  effects.filter((e): e is AskEffect => e.type === "ask");
export const sends = (effects: readonly Effect[]): string[] =>
  effects.filter((e): e is Extract<Effect, { type: "send" }> => e.type === "send").map((e) => e.text);
export const saves = (effects: readonly Effect[]): Extract<Effect, { type: "save_answer" }>[] =>
  effects.filter((e): e is Extract<Effect, { type: "save_answer" }> => e.type === "save_answer");
export const fieldSets = (effects: readonly Effect[]): Extract<Effect, { type: "set_field" }>[] =>
  effects.filter((e): e is Extract<Effect, { type: "set_field" }> => e.type === "set_field");
export const ends = (effects: readonly Effect[]): Extract<Effect, { type: "end" }>[] =>
  effects.filter((e): e is Extract<Effect, { type: "end" }> => e.type === "end");

export function lastAsk(effects: readonly Effect[]): AskEffect {
  const list = asks(effects);
  const ask = list[list.length - 1];
  if (!ask) throw new Error(`expected an ask effect, got: ${JSON.stringify(effects)}`);
  return ask;
}

/** The payload of the option `id` of an ask (throws if the option is not offered). */
export function payloadOf(ask: AskEffect, id: string): string {
  const option = ask.options.find((o) => o.id === id);
  if (!option) throw new Error(`option "${id}" not in ${JSON.stringify(ask.options.map((o) => o.id))}`);
  return option.payload;
}

export const text = (value: string): EngineInput => ({ type: "text", text: value });
export const button = (payload: string): EngineInput => ({ type: "button", payload });

/**
 * A resident talking to the engine. Keeps the session and the contact between steps, applying
 * set_field and record_consent effects as the host does, and collects saved answers.
 */
export class Chat {
  session: SessionState | null = null;
  contact: ContactView;
  now: Date;
  answers: Record<string, AnswerValue> = {};
  last: StepResult = { session: null, effects: [] };

  constructor(
    readonly registry: FlowRegistry,
    readonly options: {
      contact?: Partial<ContactView>;
      privacyNoticeVersion?: string;
      now?: Date;
      languages?: readonly string[];
    } = {},
  ) {
    this.contact = freshContact(options.contact);
    this.now = options.now ?? NOW;
  }

  ctx(): EngineContext {
    return makeCtx(this.registry, {
      now: this.now,
      contact: this.contact,
      privacyNoticeVersion: this.options.privacyNoticeVersion ?? PRIVACY_VERSION,
      ...(this.options.languages ? { languages: this.options.languages } : {}),
    });
  }

  send(input: EngineInput): StepResult {
    const result = step(this.ctx(), this.session, input);
    this.last = result;
    this.session = result.session;
    for (const e of result.effects) {
      if (e.type === "set_field") this.contact = { ...this.contact, [e.field]: e.value };
      else if (e.type === "record_consent") this.contact = { ...this.contact, consentVersion: e.version };
      else if (e.type === "save_answer") this.answers[e.key] = e.value;
    }
    return result;
  }

  start(flowId?: string): StepResult {
    return this.send(flowId ? { type: "start", flowId } : { type: "start" });
  }

  say(value: string): StepResult {
    return this.send(text(value));
  }

  press(payload: string): StepResult {
    return this.send(button(payload));
  }

  /** Presses the button for option `id` of the question currently shown. */
  choose(id: string): StepResult {
    return this.press(payloadOf(this.currentAsk(), id));
  }

  currentAsk(): AskEffect {
    return lastAsk(this.last.effects);
  }

  advance(ms: number): void {
    this.now = new Date(this.now.getTime() + ms);
  }
}
