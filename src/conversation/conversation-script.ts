// Conversation tests that engagement officers can read and write: a YAML script of what the
// resident says and what the bot should say, run through the real engine and store with a
// fixed clock. See flows/tests/*.yaml and docs/flows.md.
import { LineCounter, parseDocument } from "yaml";
import * as z from "zod";
import { normaliseReply } from "../engine/text.js";
import type { AnswerValue, EngineInput } from "../engine/types.js";
import type { AnswerRecord, ContactRecord } from "../store/types.js";
import type { Outcome } from "./handle-inbound.js";
import { renderSignpostPlain, type OutboundEffect } from "./render-plain.js";

const answerValue: z.ZodType<AnswerValue> = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.string()),
]);

const stepSchema = z.union([
  /** The next bot message contains this text (or every text of a list). */
  z.strictObject({ bot: z.union([z.string(), z.array(z.string()).min(1)]), buttons: z.array(z.string()).optional() }),
  z.strictObject({ resident: z.union([z.string(), z.number()]).transform(String) }),
  z.strictObject({ press: z.string() }),
  z.strictObject({ start: z.string() }),
  z.strictObject({ wait: z.string().regex(/^\d+\s*(m|h|d)$/, 'wait like "30m", "2h" or "4d"') }),
]);

export const scriptSchema = z.strictObject({
  name: z.string().min(1),
  flow: z.string().optional(),
  language: z.string().optional(),
  channel: z.string().default("test"),
  clock: z.iso.datetime().default("2026-01-05T10:00:00Z"),
  conversation: z.array(stepSchema).min(1),
  expect: z
    .strictObject({
      answers: z.record(z.string(), answerValue).optional(),
      no_answers: z.array(z.string()).optional(),
      area: z.string().nullable().optional(),
      language: z.string().optional(),
      consent: z.boolean().optional(),
      /** That the refusal was recorded (with the notice version) when the resident said no. */
      consent_declined: z.boolean().optional(),
      status: z.enum(["active", "stopped"]).optional(),
      ended: z.boolean().optional(),
    })
    .optional(),
});

export type ConversationScript = z.infer<typeof scriptSchema>;

/** What a script needs from the system under test. */
export interface ChatDriver {
  send(input: EngineInput, languageHint?: string): Promise<Outcome>;
  /** Moves the fixed clock on, running the chores on the way; returns what they queued for the resident that is due by then. */
  advanceClock(ms: number): Promise<readonly OutboundEffect[]>;
  answers(contactId: string): Promise<AnswerRecord[]>;
  hasSession(contactId: string): Promise<boolean>;
}

export interface ParsedScript {
  readonly script: ConversationScript;
  /** 1-based line of each conversation step. */
  readonly lines: readonly number[];
}

export function parseScript(source: string, file: string): ParsedScript {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  if (doc.errors.length > 0)
    throw new Error(
      `${file}:${lineCounter.linePos(doc.errors[0]!.pos[0]).line}: ${doc.errors[0]!.message.split("\n")[0]}`,
    );
  const parsed = scriptSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const node = doc.getIn(issue.path as (string | number)[], true) as { range?: number[] } | undefined;
    const line = node?.range?.[0] !== undefined ? lineCounter.linePos(node.range[0]).line : 1;
    throw new Error(`${file}:${line}: ${issue.path.join(".")}: ${issue.message}`);
  }
  const lines = parsed.data.conversation.map((_, i) => {
    const node = doc.getIn(["conversation", i], true) as { range?: number[] } | undefined;
    return node?.range?.[0] !== undefined ? lineCounter.linePos(node.range[0]).line : 1;
  });
  return { script: parsed.data, lines };
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** What the resident reads: a signpost shows its services too. */
function shown(effect: OutboundEffect, language: string): string {
  return effect.type === "signpost" ? renderSignpostPlain(effect, language) : effect.text;
}

function describe(effect: OutboundEffect, language = "en"): string {
  const buttons =
    effect.type === "ask" && effect.options.length > 0 ? ` [${effect.options.map((o) => o.label).join(" | ")}]` : "";
  return `"${shown(effect, language)}"${buttons}`;
}

function sameAnswer(actual: AnswerValue | undefined, expected: AnswerValue): boolean {
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/** Runs one script; returns the failures (empty when the conversation went as written). */
export async function runScript(parsed: ParsedScript, file: string, driver: ChatDriver): Promise<string[]> {
  const { script, lines } = parsed;
  const failures: string[] = [];
  const at = (i: number) => `${file}:${lines[i] ?? 1}`;
  let outcome = await driver.send(
    script.flow ? { type: "start", flowId: script.flow } : { type: "text", text: "hi" },
    script.language,
  );
  let pending: OutboundEffect[] = [...outcome.replies];
  let contact: ContactRecord = outcome.contact;
  let lastAsk: Extract<OutboundEffect, { type: "ask" }> | undefined = [...pending]
    .reverse()
    .find((e) => e.type === "ask") as never;

  const flushCheck = (i: number): boolean => {
    if (pending.length === 0) return true;
    failures.push(
      `${at(i)}: the bot also said ${pending.map((e) => describe(e, contact.language)).join(", then ")} before this step`,
    );
    return false;
  };

  for (let i = 0; i < script.conversation.length; i++) {
    const entry = script.conversation[i]!;
    if ("bot" in entry) {
      const said = pending.shift();
      if (!said) {
        failures.push(`${at(i)}: expected the bot to say "${entry.bot}", but it said nothing more`);
        break;
      }
      const expected = Array.isArray(entry.bot) ? entry.bot : [entry.bot];
      const actual = normaliseReply(shown(said, contact.language));
      const missing = expected.find((e) => normaliseReply(e).length === 0 || !actual.includes(normaliseReply(e)));
      if (missing !== undefined) {
        failures.push(
          `${at(i)}: expected the bot to say "${missing}"\n    but it said ${describe(said, contact.language)}`,
        );
        break;
      }
      if (entry.buttons) {
        const labels = said.type === "ask" ? said.options.map((o) => o.label) : [];
        if (JSON.stringify(labels) !== JSON.stringify(entry.buttons)) {
          failures.push(
            `${at(i)}: expected buttons [${entry.buttons.join(" | ")}]\n    but they were [${labels.join(" | ")}]`,
          );
          break;
        }
      }
      continue;
    }
    if ("wait" in entry) {
      // Everything said before the wait was expected before it; what comes during it (a
      // reminder) is expected after it.
      if (!flushCheck(i)) break;
      const m = /^(\d+)\s*(m|h|d)$/.exec(entry.wait)!;
      pending = [...(await driver.advanceClock(Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS]))];
      continue;
    }
    if (!flushCheck(i)) break;
    let input: EngineInput;
    if ("start" in entry) {
      input = { type: "start", flowId: entry.start };
    } else if ("press" in entry) {
      const label = normaliseReply(entry.press);
      const option = lastAsk?.options.find((o) => normaliseReply(o.label) === label);
      const payload =
        option?.payload ??
        (label === "done" ? lastAsk?.donePayload : label === "skip" ? lastAsk?.skipPayload : undefined);
      if (!payload) {
        failures.push(
          `${at(i)}: there is no "${entry.press}" button on the last question${lastAsk ? ` ${describe(lastAsk)}` : ""}`,
        );
        break;
      }
      input = { type: "button", payload };
    } else {
      input = { type: "text", text: entry.resident };
    }
    outcome = await driver.send(input);
    contact = outcome.contact;
    pending = [...outcome.replies];
    const ask = [...pending].reverse().find((e) => e.type === "ask");
    if (ask && ask.type === "ask") lastAsk = ask;
  }
  if (failures.length === 0) flushCheck(script.conversation.length - 1);

  const expect = script.expect;
  if (failures.length === 0 && expect) {
    const stored = await driver.answers(contact.id);
    const byKey = new Map(stored.map((a) => [a.questionKey, a.value]));
    for (const [key, value] of Object.entries(expect.answers ?? {})) {
      if (!byKey.has(key))
        failures.push(`${file}: expected a stored answer "${key}" = ${JSON.stringify(value)}, but none was stored`);
      else if (!sameAnswer(byKey.get(key), value))
        failures.push(
          `${file}: stored answer "${key}" is ${JSON.stringify(byKey.get(key))}, expected ${JSON.stringify(value)}`,
        );
    }
    for (const key of expect.no_answers ?? []) {
      if (byKey.has(key))
        failures.push(`${file}: expected no stored answer "${key}", but found ${JSON.stringify(byKey.get(key))}`);
    }
    if (expect.area !== undefined && contact.area !== expect.area)
      failures.push(
        `${file}: contact area is ${JSON.stringify(contact.area)}, expected ${JSON.stringify(expect.area)}`,
      );
    if (expect.language !== undefined && contact.language !== expect.language)
      failures.push(`${file}: contact language is "${contact.language}", expected "${expect.language}"`);
    if (expect.consent !== undefined && (contact.consentVersion !== null) !== expect.consent)
      failures.push(`${file}: consent recorded is ${contact.consentVersion !== null}, expected ${expect.consent}`);
    if (expect.consent_declined !== undefined && (contact.consentRefusedVersion !== null) !== expect.consent_declined)
      failures.push(
        `${file}: consent refusal recorded is ${contact.consentRefusedVersion !== null}, expected ${expect.consent_declined}`,
      );
    if (expect.status !== undefined && contact.status !== expect.status)
      failures.push(`${file}: contact status is "${contact.status}", expected "${expect.status}"`);
    if (expect.ended !== undefined) {
      const ended = !(await driver.hasSession(contact.id));
      if (ended !== expect.ended)
        failures.push(`${file}: expected the conversation ${expect.ended ? "to have ended" : "to be still going"}`);
    }
  }
  return failures;
}
