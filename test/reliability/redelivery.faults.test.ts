// Platform retries: Telegram redelivers an update it got no answer for, Twilio retries a
// webhook; under load both can send the same update_id / MessageSid again while the first copy
// is still being processed — and behind a load balancer the copies reach different processes.
// Here ten copies of each message arrive at once, five at each of two `placevoice serve`
// processes sharing one database: one copy is processed and answered, the other nine are
// acknowledged (200, so the platform stops retrying) and change nothing. (A copy may first get
// a retryable 503 when the two processes race to create the same new contact; it is delivered
// again, as the platforms do, and must then change nothing either.)
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAddressCrypto } from "../../src/store/address-crypto.js";
import { packageRoot } from "../../src/runtime-node/paths.js";
import { textUpdate } from "../support/fake-telegram.js";
import { startServe } from "../support/cli.js";
import { TELEGRAM_SECRET } from "../support/channel-harness.js";
import {
  APP_SECRET,
  signedSms,
  startPlaceVoice,
  waitFor,
  type PlaceVoiceProcess,
} from "../support/placevoice-process.js";

const COPIES = 10;
/** Each message and the answer it stores. */
const ROUNDS: { text: string; answer?: [string, unknown] }[] = [
  { text: "hi" },
  { text: "English" },
  { text: "yes please" },
  { text: "st6 1aa", answer: ["postcode", "ST6"] },
  { text: "2, 6 and housng", answer: ["priorities", ["cost_of_living", "transport", "housing"]] },
];

let a: PlaceVoiceProcess;
let b: { url: string; child: ChildProcess; logs: () => string };
beforeAll(async () => {
  a = await startPlaceVoice({ CONTACT_RATE_LIMIT: "10000", TELEGRAM_MAX_PER_CHAT_PER_SECOND: "100" });
  b = await startServe(a.env, packageRoot);
});
afterAll(async () => {
  b?.child.kill("SIGKILL");
  await a?.close();
});

/**
 * Delivers like the platform: a 503 (with Retry-After, e.g. when both processes race to create
 * the same new contact and one finds the database busy) is delivered again until it gets a 200.
 */
async function deliver(url: string, init: RequestInit): Promise<{ status: number; body: string; retries: number }> {
  for (let retries = 0; ; retries++) {
    const response = await fetch(url, init);
    const body = await response.text();
    if (response.status !== 503 || retries === 5) return { status: response.status, body, retries };
    expect(response.headers.get("Retry-After")).toBeTruthy();
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function contactState(channel: string, address: string) {
  const hash = await (await createAddressCrypto(APP_SECRET)).hash(channel, address);
  const [contact] = a.query<{ id: string }>(
    `SELECT id FROM contacts WHERE channel = ? AND address_hash = ?`,
    channel,
    hash,
  );
  const answers = a.query<{ question_key: string; value: string }>(
    `SELECT question_key, value FROM answers WHERE contact_id = ?`,
    contact?.id,
  );
  const [session] = a.query<{ version: number }>(`SELECT version FROM sessions WHERE contact_id = ?`, contact?.id);
  return { answers: answers.map((x) => [x.question_key, JSON.parse(x.value)]), version: session?.version };
}

describe("ten copies of one webhook at once, across two processes", () => {
  it("SMS: one copy is processed and answered in TwiML, nine get an empty 200", async () => {
    const from = "+447700960001";
    for (const [round, { text }] of ROUNDS.entries()) {
      const sid = `SM${(9000 + round).toString(16).padStart(32, "0")}`;
      const responses = await Promise.all(
        Array.from({ length: COPIES }, (_, i) =>
          deliver(`${i % 2 ? b.url : a.url}/webhooks/twilio/sms`, signedSms(from, text, sid)),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(COPIES).fill(200));
      expect(
        responses.filter((r) => r.body.includes("<Message>")),
        `round ${round}: "${text}"`,
      ).toHaveLength(1);
      expect(a.query(`SELECT id FROM inbound_messages WHERE id = ?`, `sms:${sid}`)).toHaveLength(1);
      // One step per round: the session moved on exactly once.
      expect((await contactState("sms", from)).version).toBe(round + 1);
    }
    expect((await contactState("sms", from)).answers.sort()).toEqual(
      ROUNDS.flatMap((r) => (r.answer ? [r.answer] : [])).sort(),
    );
  });

  it("Telegram: one copy is processed and one reply sent, nine get 200 and send nothing", async () => {
    const chat = 96_002;
    for (const [round, { text }] of ROUNDS.entries()) {
      const update = textUpdate(chat, round === 0 ? "/start" : text, { updateId: 960_000 + round });
      const before = a.telegram.textsTo(chat).length;
      const responses = await Promise.all(
        Array.from({ length: COPIES }, (_, i) =>
          deliver(`${i % 2 ? b.url : a.url}/webhooks/telegram`, {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET },
            body: JSON.stringify(update),
          }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(COPIES).fill(200));
      // The update is answered once committed and its reply sent after: wait for it, and a
      // moment more for any second copy, before counting.
      await waitFor(`round ${round}'s reply`, () => a.telegram.textsTo(chat).length > before, 10_000, 10);
      await new Promise((r) => setTimeout(r, 300));
      expect(a.telegram.textsTo(chat).length - before, `round ${round}: "${text}"`).toBe(1);
      expect((await contactState("telegram", String(chat))).version).toBe(round + 1);
    }
    expect((await contactState("telegram", String(chat))).answers.sort()).toEqual(
      ROUNDS.flatMap((r) => (r.answer ? [r.answer] : [])).sort(),
    );
    // Nothing waits in the outbox to be sent again later.
    expect(a.query(`SELECT status FROM outbox WHERE status <> 'sent'`)).toEqual([]);
  });
});
