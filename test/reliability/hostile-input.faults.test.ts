// Hostile input: 10,000 generated requests (fast-check, fixed seed so a failure replays) at
// both webhooks — correctly signed Twilio forms and Telegram updates with the right secret, so
// they reach the conversation, as well as unsigned and malformed ones — and at the partner API,
// dashboard and pages. Residents' replies are random Unicode, keywords with junk attached,
// SQL-ish strings, prototype-pollution keys (`__proto__`, `constructor`) as fields and values,
// numbers past 2^53 and 64 kB fields, mixed with real answers so conversations get deep into
// the flows. (test/channels/malformed.test.ts covers hand-written malformed payloads.)
//
// Proven: no response is a 5xx; the process survives (no unhandled rejection fails the run);
// Object.prototype is untouched; and nothing stored is garbage — every answer is a value its
// question can produce, every contact field is one the code can set, every session points at
// a real node, and SQLite's integrity check passes. Then a normal conversation still works.
import fc from "fast-check";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { THEMES } from "../../src/directory/themes.js";
import type { QuestionNode } from "../../src/engine/types.js";
import { textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";
import {
  SMS_URL,
  STATUS_URL,
  TELEGRAM_SECRET,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";

const RUNS = 10_000;
const SEED = 20_261_122;

let h: Harness;
let partnerToken: string;
const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
beforeAll(async () => {
  // Limits that would refuse most of the flood are lifted, so the inputs reach the flows.
  h = await startHarness({
    CONTACT_RATE_LIMIT: "10000",
    API_RATE_LIMIT: "100000",
    TELEGRAM_MAX_PER_SECOND: "100000",
    TELEGRAM_MAX_PER_CHAT_PER_SECOND: "100000",
  });
  partnerToken = (await h.services.partners.create("Fuzz City Council", ["ST6"])).token;
});
afterAll(async () => {
  await h.close();
});

const PROTO_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "__defineGetter__",
  "hasOwnProperty",
  "toString",
  "valueOf",
];
const SQLISH = [
  "'; DROP TABLE contacts; --",
  '" OR 1=1 --',
  "1; DELETE FROM answers",
  "Robert'); DROP TABLE answers;--",
  "%' OR '1'='1",
  "' UNION SELECT address_enc FROM contacts --",
  "\\'; PRAGMA writable_schema=1; --",
];
/** Real answers and keywords, so generated residents get deep into the flows. */
const WORDS = [
  "hi",
  "English",
  "Cymraeg",
  "yes",
  "yes please",
  "no",
  "skip",
  "st6 1aa",
  "ST6",
  "SW1A 1AA",
  "2, 6 and housng",
  "1,2,3,4,5,6,7,8,9,10,11,12,13",
  "4",
  "0",
  "-1",
  "3.5",
  "99999999999999999999999",
  "1e309",
  "NaN",
  "Infinity",
  "that's all",
  "more like this",
  "STOP",
  "START",
  "HELP",
  "INFO",
  "DELETE",
  "DELETE YES",
  "MYDATA",
  "LANGUAGE cy",
  "IAITH",
  "JOIN ST6BUS",
  "JOIN ../../etc/passwd",
  "/start",
  "/start c_ST6BUS",
  "/stop",
  "/help",
  "/delete",
  "/mydata",
  "/language",
  "I have nowhere to sleep tonight",
];
const hostileText = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 80 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      ...SQLISH,
      ...PROTO_KEYS,
      '{"__proto__":{"polluted":1}}',
      "constructor.prototype.polluted=1",
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...WORDS), fc.string({ unit: "binary", maxLength: 12 }))
      .map(([a, b]) => `${a}${b}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("x", "é", "😀", "'", "\u202e", "\u0000", "ŵ"), fc.integer({ min: 400, max: 66_000 }))
      .map(([c, n]) => c.repeat(n)),
  },
);
const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e21, 1e308, -1, 0, 0.5),
);
/** Numbers JSON can carry but a double cannot, put into the body as written. */
const RAW_NUMBERS = ["1e400", "123456789012345678901234567890", "-0", "9007199254740993"];
const extraFields = fc.dictionary(
  fc.oneof(fc.constantFrom(...PROTO_KEYS), fc.string({ maxLength: 8 })),
  fc.jsonValue({ maxDepth: 2 }),
  { maxKeys: 3 },
);
/** Sixty residents on each channel come back again and again; the rest are one-offs. */
const RESIDENTS = 60;
const chatId = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: RESIDENTS - 1 }).map((i) => 5_100_000 + i) },
  { weight: 1, arbitrary: hostileNumber },
);
const phone = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: RESIDENTS - 1 }).map((i) => `+4477009${String(51_000 + i)}`) },
  { weight: 1, arbitrary: hostileText.map((s) => s.slice(0, 45)) },
);

/**
 * Half the time a returning resident answers what they are asked (the test looks at their
 * session and picks a real answer for that question; a free-text question gets a hostile
 * sentence, which is what would be stored verbatim), so generated replies reach every kind of
 * question and conversations get deep; the other half the reply is hostile.
 */
const AS_ASKED = "\u0000answer-as-asked\u0000";
const reply = fc.oneof({ weight: 1, arbitrary: fc.constant(AS_ASKED) }, { weight: 1, arbitrary: hostileText });

async function answerAsAsked(
  channel: "sms" | "telegram",
  address: string,
  text: string,
  freeText: string,
): Promise<string> {
  if (text !== AS_ASKED) return text;
  const addressHash = await h.services.addressCrypto.hash(channel, address);
  const contact = await h.services.prisma.contact.findUnique({
    where: { channel_addressHash: { channel, addressHash } },
  });
  const session = contact ? await h.services.prisma.session.findUnique({ where: { contactId: contact.id } }) : null;
  if (contact?.status === "stopped") return "START";
  if (!session) return channel === "telegram" ? "/start" : "hi";
  const node = h.services.registry.flows.get(session.flowId)?.nodes.find((n) => n.id === session.nodeId);
  if (node?.type === "consent") return "yes";
  if (node?.type === "signpost") return "that's all";
  if (node?.type !== "question") return "hi";
  switch (node.input.kind) {
    case "language":
      return "English";
    case "postcode":
      return "st6 1aa";
    case "multi_choice":
      return "2, 6 and housng";
    case "single_choice":
      return "2";
    case "number":
      return String(node.input.max);
    case "yes_no":
      return "yes";
    case "text":
      return freeText;
  }
}

interface Attempt {
  readonly label: string;
  readonly path: string;
  readonly init: RequestInit;
}

/** A generated request, built when it is sent (a resident answering as asked needs their session). */
interface Plan {
  readonly label: string;
  build(): Promise<Attempt>;
}

let updateIds = 7_000_000;
const telegramAttempt: fc.Arbitrary<Plan> = fc
  .record({
    kind: fc.constantFrom("message", "message", "message", "message", "command", "callback", "member", "junk"),
    // Mostly a well-formed update carrying a hostile reply (so it reaches the flows); otherwise
    // hostile everywhere: chat ids, chat types, language codes, update ids.
    envelope: fc.constantFrom("valid", "valid", "valid", "hostile"),
    chat: chatId,
    updateId: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: hostileNumber }),
    text: reply,
    freeText: hostileText,
    chatType: fc.constantFrom("private", "private", "group", "supergroup", "channel", "castle"),
    language: fc.oneof(
      fc.constantFrom("en", "cy", "de"),
      hostileText.map((s) => s.slice(0, 40)),
    ),
    extra: extraFields,
    junk: fc.jsonValue({ maxDepth: 3 }),
    raw: fc.option(fc.constantFrom(...RAW_NUMBERS), { freq: 10 }),
  })
  .map((g): Plan => {
    const valid = g.envelope === "valid";
    const chat = valid ? 5_100_000 + (Math.abs(Math.trunc(Number(g.chat))) % RESIDENTS || 0) : g.chat;
    const label = `telegram ${g.kind}`;
    const build = async (): Promise<Attempt> => {
      const text = await answerAsAsked("telegram", String(chat), g.text, g.freeText);
      const id = (valid ? undefined : g.updateId) ?? updateIds++;
      const from = { id: chat, is_bot: false, first_name: "Sam", language_code: valid ? "en" : g.language, ...g.extra };
      const chatObject = { id: chat, type: valid ? "private" : g.chatType, first_name: "Sam", ...g.extra };
      const update =
        g.kind === "junk"
          ? g.junk
          : g.kind === "callback"
            ? {
                update_id: id,
                callback_query: {
                  id: "1",
                  from,
                  chat_instance: "1",
                  data: text.slice(0, 64),
                  message: { message_id: 1000, date: 1767607200, chat: chatObject },
                  ...g.extra,
                },
              }
            : g.kind === "member"
              ? {
                  update_id: id,
                  my_chat_member: {
                    chat: chatObject,
                    from,
                    date: 1767607200,
                    new_chat_member: { status: text.slice(0, 20) },
                  },
                }
              : {
                  update_id: id,
                  ...g.extra,
                  message: {
                    message_id: 1,
                    date: 1767607200,
                    chat: chatObject,
                    from,
                    text: g.kind === "command" ? `/start ${text}` : text,
                    ...g.extra,
                  },
                };
      let body = JSON.stringify(update) ?? "null";
      if (g.raw && !valid) body = body.replace(/("update_id":)(-?[\d.e+-]+)/, `$1${g.raw}`);
      return {
        label,
        path: "/webhooks/telegram",
        init: {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET },
          body,
        },
      };
    };
    return { label, build };
  });

let sids = 0;
const smsAttempt: fc.Arbitrary<Plan> = fc
  .record({
    status: fc.constantFrom(false, false, false, true),
    from: phone,
    body: reply,
    freeText: hostileText,
    sid: fc.constantFrom("new", "new", "new", "repeat", "bad"),
    numMedia: fc.oneof(
      { weight: 4, arbitrary: fc.constant("0") },
      { weight: 1, arbitrary: fc.constantFrom("1", "3") },
      { weight: 1, arbitrary: hostileText.map((s) => s.slice(0, 10)) },
    ),
    extra: fc.dictionary(
      fc.oneof(fc.constantFrom(...PROTO_KEYS, "AccountSid", "MessageSid", "To"), fc.string({ maxLength: 8 })),
      fc.string({ unit: "binary", maxLength: 30 }),
      { maxKeys: 3 },
    ),
    signed: fc.constantFrom(true, true, true, true, false),
    messageStatus: fc.oneof(
      fc.constantFrom("delivered", "sent", "failed", "undelivered"),
      hostileText.map((s) => s.slice(0, 30)),
    ),
  })
  .map((g): Plan => {
    const label = `sms ${g.status ? "status" : "inbound"}${g.signed ? "" : " unsigned"}`;
    const build = async (): Promise<Attempt> => {
      const body = await answerAsAsked("sms", g.from, g.body, g.freeText);
      const messageSid =
        g.sid === "bad"
          ? `SM${body.slice(0, 32)}`
          : `SM${(g.sid === "repeat" ? 1 + (sids % 50) : ++sids + 100_000).toString(16).padStart(32, "0")}`;
      const base = Object.fromEntries(
        new URLSearchParams(
          String(
            inboundSms({
              url: SMS_URL,
              authToken: TWILIO_TOKEN,
              accountSid: TWILIO_SID,
              from: g.from,
              to: TWILIO_NUMBER,
              body,
              messageSid,
            }).body,
          ),
        ),
      );
      const params: Record<string, string> = {
        ...base,
        NumMedia: g.numMedia,
        ...g.extra,
        ...(g.status ? { MessageStatus: g.messageStatus, ErrorCode: "21610" } : {}),
      };
      const form = new URLSearchParams(params).toString();
      // Signed over exactly what the server will read back out of the form.
      const url = g.status ? STATUS_URL : SMS_URL;
      const signature = g.signed
        ? getExpectedTwilioSignature(TWILIO_TOKEN, url, Object.fromEntries(new URLSearchParams(form)))
        : "bm90IGEgc2lnbmF0dXJl";
      const headers = { "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature };
      return {
        label,
        path: g.status ? "/webhooks/twilio/status" : "/webhooks/twilio/sms",
        init: { method: "POST", headers, body: form },
      };
    };
    return { label, build };
  });

const API_PATHS = [
  "/api/v1/insights/priorities",
  "/api/v1/insights/themes",
  "/api/v1/insights/trend",
  "/api/v1/insights/quotes",
  "/api/v1/feed",
  "/api/v1/openapi.json",
  "/dashboard",
  "/dashboard/priorities.csv",
  "/dashboard/admin",
  "/champions/ST6BUS",
  "/privacy",
  "/healthz",
];
/** Query values: often ones the API accepts, so requests get past validation into the queries. */
const queryValue = fc.oneof(
  fc.constantFrom(
    "ST6",
    "ST3",
    "housing",
    "transport",
    "2026-01-05",
    "2026-W02",
    "sms",
    "telegram",
    "csv",
    "json",
    "choice",
    "text",
    "age_25_34",
    "cy",
  ),
  hostileText.map((s) => s.slice(0, 300)),
);
const apiAttempt: fc.Arbitrary<Plan> = fc
  .record({
    path: fc.constantFrom(...API_PATHS),
    query: fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          "area",
          "from",
          "to",
          "channel",
          "age_band",
          "theme",
          "source",
          "format",
          "lang",
          "key",
          ...PROTO_KEYS,
        ),
        fc.string({ maxLength: 8 }),
      ),
      queryValue,
      { maxKeys: 4 },
    ),
    auth: fc.oneof(
      { weight: 3, arbitrary: fc.constant("valid") },
      { weight: 1, arbitrary: fc.constant("none") },
      { weight: 2, arbitrary: hostileText },
    ),
    login: fc.constantFrom(false, false, false, false, true),
    form: hostileText,
  })
  .map((g): Plan => {
    const label = g.login ? "dashboard sign-in" : `GET ${g.path}`;
    const build = async (): Promise<Attempt> => {
      // Header values must be Latin-1 on the wire; anything else never reaches a server.
      const authorization =
        g.auth === "valid"
          ? `Bearer ${partnerToken}`
          : g.auth === "none"
            ? undefined
            : `Bearer ${g.auth.replace(/[^\x20-\x7e]/g, "").slice(0, 500)}`;
      const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
      if (g.login) {
        const body = new URLSearchParams({ token: g.form, ...g.query }).toString();
        return {
          label,
          path: "/dashboard/login",
          init: {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "http://localhost", ...headers },
            body,
          },
        };
      }
      return { label, path: `${g.path}?${new URLSearchParams(g.query).toString()}`, init: { method: "GET", headers } };
    };
    return { label, build };
  });

const attempt = fc.oneof(
  { weight: 4, arbitrary: telegramAttempt },
  { weight: 4, arbitrary: smsAttempt },
  { weight: 2, arbitrary: apiAttempt },
);

/** Whether an answer is a value its question can produce. */
function validAnswer(question: QuestionNode | undefined, value: unknown): boolean {
  if (!question) return false;
  if (value === null) return question.allowSkip;
  const input = question.input;
  const ids = "options" in input ? new Set(input.options.map((o) => o.id)) : new Set<string>();
  switch (input.kind) {
    case "single_choice":
      return typeof value === "string" && ids.has(value);
    case "multi_choice":
      return (
        Array.isArray(value) &&
        value.length >= 1 &&
        value.length <= input.maxPicks &&
        new Set(value).size === value.length &&
        value.every((v) => typeof v === "string" && ids.has(v))
      );
    case "text":
      return (
        typeof value === "string" &&
        value.trim().length > 0 &&
        value.length <= input.maxLength &&
        !value.includes("\u0000")
      );
    case "number":
      return (
        typeof value === "number" &&
        Number.isFinite(value) &&
        value >= input.min &&
        value <= input.max &&
        (!input.integer || Number.isInteger(value))
      );
    case "yes_no":
      return typeof value === "boolean";
    case "postcode":
      return typeof value === "string" && /^[A-Z]{1,2}\d[A-Z\d]?$/.test(value);
    case "language":
      return typeof value === "string" && ["en", "cy"].includes(value);
  }
}

describe(`${RUNS.toLocaleString("en-GB")} generated hostile requests`, () => {
  it("never get a 5xx, never crash, and leave nothing but valid data", async () => {
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(attempt, async (plan) => {
        const { label, path, init } = await plan.build();
        const response = await h.app.request(path, init);
        await response.arrayBuffer();
        const key = `${label} ${response.status}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        expect(
          response.status,
          `${label} ${path.slice(0, 80)} ${String(init.body ?? "").slice(0, 300)}\n${h.logs
            .filter((l) => /ERROR/.test(l))
            .slice(-1)
            .join("")}`,
        ).toBeLessThan(500);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // The generator really reached the conversation, not just the refusals.
    const processed = (prefix: string) =>
      [...statuses].filter(([k]) => k.startsWith(prefix) && k.endsWith(" 200")).reduce((n, [, v]) => n + v, 0);
    expect(processed("telegram message")).toBeGreaterThan(1000);
    expect(processed("sms inbound")).toBeGreaterThan(1000);
    expect(processed("GET /api/v1/insights")).toBeGreaterThan(50);

    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const db = h.services.prisma;
    const questions = new Map<string, QuestionNode>();
    for (const flow of h.services.registry.flows.values())
      for (const node of flow.nodes) if (node.type === "question") questions.set(`${flow.id}/${node.key}`, node);
    const answers = await db.answer.findMany();
    expect(answers.length).toBeGreaterThan(500);
    const invalid = answers.filter(
      (a) => !validAnswer(questions.get(`${a.flowId}/${a.questionKey}`), JSON.parse(a.value)),
    );
    expect(invalid.map((a) => `${a.flowId}/${a.questionKey} = ${a.value.slice(0, 80)}`)).toEqual([]);
    const contacts = await db.contact.findMany();
    const badContacts = contacts.filter(
      (c) =>
        !["sms", "telegram"].includes(c.channel) ||
        !["en", "cy"].includes(c.language) ||
        !["active", "stopped"].includes(c.status) ||
        (c.area !== null && !/^[A-Z]{1,2}\d[A-Z\d]?$/.test(c.area)) ||
        (c.attribution !== null && !/^[A-Z0-9_-]{1,64}$/.test(c.attribution)) ||
        (c.consentVersion !== null && c.consentVersion !== "2026-11"),
    );
    expect(badContacts).toEqual([]);
    const sessions = await db.session.findMany();
    for (const s of sessions) {
      const flow = h.services.registry.flows.get(s.flowId);
      expect(
        flow?.nodes.some((n) => n.id === s.nodeId),
        `${s.flowId}/${s.nodeId}`,
      ).toBe(true);
      expect(() => JSON.parse(s.state)).not.toThrow();
    }
    const facts = await db.themeFact.findMany({ select: { theme: true } });
    expect(facts.filter((f) => !(THEMES as readonly string[]).includes(f.theme))).toEqual([]);
    const inbound = await db.inboundMessage.findMany({ select: { id: true } });
    expect(
      inbound
        .filter((m) => !/^(sms:SM[0-9a-f]{32}|telegram:\d{1,16}|telegram-group:[A-Za-z0-9_-]+)$/i.test(m.id))
        .map((m) => m.id),
    ).toEqual([]);
    const outbox = await db.outboxMessage.findMany({ select: { payload: true, channel: true } });
    for (const m of outbox) {
      const payload = JSON.parse(m.payload) as { text?: string };
      if (payload.text !== undefined) expect(payload.text.length).toBeLessThanOrEqual(4096);
    }
    expect(await db.$queryRawUnsafe(`PRAGMA integrity_check`)).toEqual([{ integrity_check: "ok" }]);

    // And a resident still gets a normal conversation.
    const chat = 5_199_999;
    expect((await h.telegramUpdate(textUpdate(chat, "/start"))).status).toBe(200);
    expect((await h.telegramUpdate(textUpdate(chat, "English"))).status).toBe(200);
    expect(h.telegram.textsTo(chat).at(-1)).toContain("It's 7 quick questions.");
    console.info(
      `hostile input: ${RUNS} requests; ${answers.length} answers, ${contacts.length} contacts, ${sessions.length} sessions stored, all valid; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
    );
  }, 600_000);
});
