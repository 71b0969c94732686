// LOG_FORMAT=json: one JSON object a line; every line written for a request (its replies sent
// after the answer included) carries the id its response returned in X-Request-Id; and after
// whole conversations on both channels, at debug level, no line holds a phone number, a chat id
// or anything a resident wrote.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PUBLIC_URL,
  SMS_URL,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ LOG_FORMAT: "json" });
});
afterAll(async () => {
  await h.close();
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Traced {
  readonly id: string;
  /** The log lines written from the request's start until its replies were sent. */
  readonly lines: Record<string, unknown>[];
}

const parsed = (line: string) => JSON.parse(line) as Record<string, unknown>;

/** Sends one request, waits for the replies it queued, and returns its id and its log lines. */
async function traced(send: () => Promise<Response>, status: number): Promise<Traced> {
  const from = h.logs.length;
  const response = await send();
  expect(response.status).toBe(status);
  await h.services.dispatcher.settled();
  const id = response.headers.get("X-Request-Id");
  expect(id).toMatch(UUID);
  return { id: id!, lines: h.logs.slice(from).map(parsed) };
}

describe("JSON logs", () => {
  it("carry each request's id on every line of it, and nothing personal after whole conversations", async () => {
    const phone = "+447700900888";
    const chat = 77_004_321;
    const deadChat = 77_004_999;
    const said = [
      "hi",
      "english",
      "yes",
      "ST6 1AA",
      "housing",
      "Mould in the flat of Gwen Evans at 4 Moorland Road",
      "skip",
      "yes",
      "MYDATA",
      "STOP",
      "START",
    ];
    const sms = (body: string, messageSid?: string) =>
      traced(
        () =>
          h.sms(
            inboundSms({
              url: SMS_URL,
              authToken: TWILIO_TOKEN,
              accountSid: TWILIO_SID,
              from: phone,
              to: TWILIO_NUMBER,
              body,
              ...(messageSid ? { messageSid } : {}),
            }),
          ),
        200,
      );
    const telegram = (update: unknown, secret = TELEGRAM_SECRET, status = 200) =>
      traced(() => h.telegramUpdateAnswered(update, secret), status);

    const requests: Traced[] = [];
    for (const body of said) {
      requests.push(await sms(body));
      requests.push(await telegram(textUpdate(chat, body)));
    }
    // Twilio delivers an SMS twice (logged at debug); a forged Telegram update is refused.
    const sid = `SM${"c".repeat(32)}`;
    requests.push(await sms("hello again", sid));
    const duplicate = await sms("hello again", sid);
    requests.push(duplicate);
    requests.push(await telegram(textUpdate(chat, "hello"), "wrong-secret", 401));
    // A chat Telegram does not know: its reply is dead-lettered after the webhook was answered.
    h.telegram.intercept = (call) =>
      Number(call.params.chat_id) === deadChat
        ? { ok: false, error_code: 400, description: "Bad Request: chat not found" }
        : undefined;
    const dead = await telegram(textUpdate(deadChat, "/start"));
    requests.push(dead);
    h.telegram.intercept = undefined;
    // Erasure, on both channels.
    requests.push(await sms("DELETE YES"));
    requests.push(await telegram(textUpdate(chat, "DELETE YES")));
    // A partner API call without a token, and a page that does not exist.
    requests.push(await traced(async () => h.app.request(`${PUBLIC_URL}/api/v1/insights/priorities`), 401));
    requests.push(await traced(async () => h.app.request(`${PUBLIC_URL}/no-such-page`), 404));

    // Every line of the run is one JSON object with a time, a level and a message.
    for (const line of h.logs) {
      const entry = parsed(line);
      expect(entry.time).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(["debug", "info", "warn", "error"]).toContain(entry.level);
      expect(typeof entry.msg).toBe("string");
    }
    // Each request has its own id, and every line written for it carries that id.
    expect(new Set(requests.map((r) => r.id)).size).toBe(requests.length);
    for (const request of requests) for (const line of request.lines) expect(line.request_id).toBe(request.id);
    expect(duplicate.lines.map((l) => l.msg)).toContain("duplicate SMS ignored");
    // The dead letter was logged while sending after the answer: still under the webhook's id.
    expect(dead.lines.map((l) => l.msg)).toContain("outbox message dead-lettered");
    const logged = requests.flatMap((r) => r.lines.map((l) => l.msg));
    expect(logged.filter((m) => m === "contact stopped")).toHaveLength(2);
    expect(logged.filter((m) => m === "contact erased at their request")).toHaveLength(2);
    // Work that no request started (the outbox loop) carries no request id.
    const outside = h.logs.length;
    h.telegram.intercept = () => ({ ok: false, error_code: 400, description: "Bad Request: chat not found" });
    await h.services.prisma.outboxMessage.updateMany({
      where: { status: "dead" },
      data: { status: "pending", attempts: 0 },
    });
    h.clock.advance(5 * 60_000); // past the webhook's claim on its reply
    await h.services.dispatcher.drain();
    h.telegram.intercept = undefined;
    const loopLines = h.logs.slice(outside).map(parsed);
    expect(loopLines.map((l) => l.msg)).toContain("outbox message dead-lettered");
    for (const line of loopLines) expect(line.request_id).toBeUndefined();

    const logs = h.logs.join("\n");
    const personal = [
      phone,
      phone.slice(1),
      "7700900888",
      String(chat),
      String(deadChat),
      TELEGRAM_TOKEN,
      TELEGRAM_SECRET,
      TWILIO_TOKEN,
      "ST6 1AA",
      "Gwen",
      "Moorland Road",
      "Mould in the flat",
      "hello again",
    ];
    for (const text of personal) expect(logs, `logs contain ${text}`).not.toContain(text);
  });
});
