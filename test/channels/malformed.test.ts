// Hostile and broken requests: every one gets a 4xx (never a 5xx), nothing is processed, and
// the service keeps serving real messages afterwards.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inboundSms } from "../support/fake-twilio.js";
import { textUpdate, callbackUpdate } from "../support/fake-telegram.js";
import {
  SMS_URL,
  TELEGRAM_SECRET,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Attempt {
  readonly label: string;
  readonly path: string;
  readonly init: RequestInit;
}

const telegramHeaders = { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET };

function telegramAttempts(): Attempt[] {
  const valid = JSON.stringify(textUpdate(9001, "hello"));
  const attempts: Attempt[] = [];
  const post = (label: string, body: BodyInit, headers: Record<string, string> = telegramHeaders) =>
    attempts.push({ label, path: "/webhooks/telegram", init: { method: "POST", headers, body } });
  // Truncated JSON at many cut points.
  for (let cut = 1; cut < valid.length; cut += Math.ceil(valid.length / 60))
    post(`truncated at ${cut}`, valid.slice(0, cut));
  // Wrong types and missing fields.
  const base = textUpdate(9001, "hello");
  const variants: [string, unknown][] = [
    ["null", null],
    ["number", 42],
    ["string", "update"],
    ["array", [base]],
    ["empty object", {}],
    ["no update_id", { message: base.message }],
    ["update_id string", { ...base, update_id: "7" }],
    ["negative update_id", { ...base, update_id: -1 }],
    ["fractional update_id", { ...base, update_id: 1.5 }],
    ["only update_id", { update_id: 5 }],
    ["message is a number", { ...base, message: 5 }],
    ["text is a number", { ...base, message: { ...base.message, text: 5 } }],
    ["chat id string", { ...base, message: { ...base.message, chat: { id: "x", type: "private" } } }],
    ["chat missing", { ...base, message: { ...base.message, chat: undefined } }],
    ["unknown chat type", { ...base, message: { ...base.message, chat: { id: 1, type: "castle" } } }],
    ["text over 4096", { ...base, message: { ...base.message, text: "x".repeat(5000) } }],
    ["from without id", { ...base, message: { ...base.message, from: { first_name: "x" } } }],
    ["callback without from", { update_id: 77, callback_query: { id: "1", data: "1:o:en" } }],
    ["callback data over 64", callbackUpdate(9001, 1, "x".repeat(65))],
    [
      "callback message is a string",
      {
        ...callbackUpdate(9001, 1, "1:o:en"),
        callback_query: { ...callbackUpdate(9001, 1, "1:o:en").callback_query, message: "m" },
      },
    ],
    [
      "language_code object",
      { ...base, message: { ...base.message, from: { id: 1, is_bot: false, first_name: "x", language_code: {} } } },
    ],
  ];
  for (const [label, body] of variants) post(label, JSON.stringify(body));
  post("empty body", "");
  post("wrong content type", valid, { ...telegramHeaders, "Content-Type": "text/plain" });
  post("form encoded", "update_id=1", { ...telegramHeaders, "Content-Type": "application/x-www-form-urlencoded" });
  post("over 1 MB", JSON.stringify({ ...base, padding: "x".repeat(1024 * 1024 + 10) }));
  post("deeply nested", `${"[".repeat(5000)}${"]".repeat(5000)}`);
  post("invalid UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
  // Generated junk: random JSON values and strings.
  for (const value of fc.sample(fc.jsonValue({ maxDepth: 4 }), { numRuns: 60, seed: 2026 }))
    post("generated JSON", JSON.stringify(value));
  for (const value of fc.sample(fc.string({ maxLength: 200 }), { numRuns: 20, seed: 11 }))
    post("generated string", value);
  return attempts;
}

function smsAttempts(): Attempt[] {
  const attempts: Attempt[] = [];
  const signed = (
    params: Record<string, string>,
    contentType = "application/x-www-form-urlencoded",
    body?: string,
  ) => ({
    method: "POST",
    headers: {
      "Content-Type": contentType,
      "X-Twilio-Signature": getExpectedTwilioSignature(TWILIO_TOKEN, SMS_URL, params),
    },
    body: body ?? new URLSearchParams(params).toString(),
  });
  const valid = Object.fromEntries(
    new URLSearchParams(
      String(
        inboundSms({
          url: SMS_URL,
          authToken: TWILIO_TOKEN,
          accountSid: TWILIO_SID,
          from: "+447700900999",
          to: TWILIO_NUMBER,
          body: "hi",
        }).body,
      ),
    ),
  );
  const drop = (key: string) => Object.fromEntries(Object.entries(valid).filter(([k]) => !k.includes(key)));
  const cases: [string, RequestInit][] = [
    ["no MessageSid", signed(drop("Sid"))],
    ["no From", signed(drop("From"))],
    ["bad MessageSid", signed({ ...valid, MessageSid: "nope", SmsSid: "nope", SmsMessageSid: "nope" })],
    ["other account", signed({ ...valid, AccountSid: `AC${"2".repeat(32)}` })],
    ["JSON body", signed(valid, "application/json", JSON.stringify(valid))],
    ["no content type", { method: "POST", headers: { "X-Twilio-Signature": "x" }, body: "a=b" }],
    ["over 64 kB", signed({ ...valid, Body: "x".repeat(70_000) })],
    ["From over 40", signed({ ...valid, From: "+4".repeat(30) })],
    [
      "unsigned",
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(valid).toString(),
      },
    ],
    [
      "signature of other params",
      { ...signed(valid), body: new URLSearchParams({ ...valid, Body: "STOP" }).toString() },
    ],
  ];
  for (const [label, init] of cases) attempts.push({ label, path: "/webhooks/twilio/sms", init });
  for (const [label, init] of cases.slice(0, 6))
    attempts.push({ label: `status: ${label}`, path: "/webhooks/twilio/status", init });
  for (const value of fc.sample(fc.dictionary(fc.string({ maxLength: 12 }), fc.string({ maxLength: 40 })), {
    numRuns: 40,
    seed: 7,
  })) {
    attempts.push({
      label: "generated form, unsigned",
      path: "/webhooks/twilio/sms",
      init: {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "AAAA" },
        body: new URLSearchParams(value).toString(),
      },
    });
  }
  return attempts;
}

describe("malformed webhook payloads", () => {
  it("answer 4xx, never 5xx, process nothing, and the server keeps serving", async () => {
    const attempts = [...telegramAttempts(), ...smsAttempts()];
    expect(attempts.length).toBeGreaterThanOrEqual(200);
    const contactsBefore = await h.services.prisma.contact.count();
    const statuses = new Map<number, number>();
    const wrong: string[] = [];
    for (const attempt of attempts) {
      const response = await h.app.request(attempt.path, attempt.init);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status < 400 || response.status >= 500)
        wrong.push(`${attempt.label}: ${response.status} ${(await response.text()).slice(0, 120)}`);
    }
    expect(wrong).toEqual([]);
    expect(await h.services.prisma.contact.count()).toBe(contactsBefore);
    expect(h.telegram.calls).toHaveLength(0);
    // Still serving: a real message gets its answer.
    const ok = await h.telegramUpdate(textUpdate(9002, "/start"));
    expect(ok.status).toBe(200);
    expect(h.telegram.textsTo(9002)[0]).toContain("Hi, this is PlaceVoice");
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
  });
});
