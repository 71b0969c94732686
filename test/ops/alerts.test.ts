// Alerts that reach a person, against the fakes with the service's clock moved: one message to
// the operators' Telegram chat (through the fake Bot API) and one JSON post to their URL when a
// rule trips, nothing more while it holds, "resolved" when it clears, and a rule that trips again
// soon after waits out ALERT_REPEAT_MINUTES.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { runBroadcast } from "../../src/conversation/broadcast.js";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { textUpdate } from "../support/fake-telegram.js";

const OPERATORS = -1001234567890;

interface Posted {
  readonly text: string;
  readonly rule: string;
  readonly state: string;
  readonly at: string;
}

let hook: Server;
let hookUrl: string;
const posted: Posted[] = [];
/** Posts the operators' URL refuses (503) before it accepts again. */
let refuse = 0;
beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      if (refuse > 0) {
        refuse--;
        res.writeHead(503).end();
        return;
      }
      posted.push(JSON.parse(body) as Posted);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/placevoice-alerts`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => hook.close(() => resolve()));
});

let h: Harness;
afterEach(async () => {
  await h.close();
  posted.length = 0;
});

async function start(env: Record<string, string> = {}): Promise<Harness> {
  h = await startHarness({
    ALERT_TELEGRAM_CHAT_ID: String(OPERATORS),
    ALERT_WEBHOOK_URL: hookUrl,
    ALERT_DEAD_LETTERS: "1",
    ALERT_WEBHOOK_ERRORS: "2",
    ALERT_OUTBOX_MINUTES: "15",
    ALERT_DAY_HOURS: "08:00-20:00",
    ALERT_REPEAT_MINUTES: "60",
    ...env,
  });
  return h;
}

/** What the operators have been told so far: their Telegram chat, and the posts to their URL (the same texts). */
function told(): string[] {
  const texts = h.telegram.textsTo(OPERATORS);
  expect(posted.map((p) => p.text)).toEqual(texts);
  return texts;
}

/** One check, as the minute's timer or Cron Trigger runs it; the rules and states it sent. */
async function check(): Promise<string[]> {
  const sent = await h.services.alerts!.check();
  return sent.map((m) => `${m.rule}:${m.state}`);
}

describe("alerts", () => {
  it("dead letters: one message when they appear, none while they stay, resolved when retried; a relapse within the hour waits", async () => {
    await start();
    const resident = 81_000_001;
    const unknownChat = 81_000_002;
    await h.telegramUpdate(textUpdate(resident, "/start"));
    expect(await check()).toEqual([]);

    // Telegram does not know this chat: the reply is dead at once.
    h.telegram.intercept = (call) =>
      call.method === "sendMessage" && Number(call.params.chat_id) !== OPERATORS
        ? { ok: false, error_code: 400, description: "Bad Request: chat not found" }
        : undefined;
    await h.telegramUpdate(textUpdate(unknownChat, "/start"));
    expect(await check()).toEqual(["dead_letters:firing"]);
    expect(told()).toEqual([
      "PlaceVoice needs attention: 1 dead letter(s) in the outbox (`placevoice outbox` to see and retry them). See `placevoice status`.",
    ]);
    expect(posted[0]).toMatchObject({
      rule: "dead_letters",
      state: "firing",
      at: h.clock.now().toISOString().slice(0, 15) ? expect.any(String) : "",
    });
    // Still there a minute later, and ten: nothing more.
    h.clock.advance(60_000);
    expect(await check()).toEqual([]);
    h.clock.advance(9 * 60_000);
    expect(await check()).toEqual([]);

    // The operator retries it once Telegram knows the chat: resolved.
    h.telegram.intercept = undefined;
    expect(await h.services.outbox.retryDead("all", h.clock.now())).toBe(1);
    await h.services.dispatcher.drain();
    expect(await check()).toEqual(["dead_letters:resolved"]);
    expect(told().at(-1)).toBe("PlaceVoice resolved: dead letters in the outbox now 0.");

    // Another dead letter twenty minutes after that message: it waits for the hour to pass...
    h.telegram.intercept = (call) =>
      call.method === "sendMessage" && Number(call.params.chat_id) !== OPERATORS
        ? { ok: false, error_code: 400, description: "Bad Request: chat not found" }
        : undefined;
    h.clock.advance(20 * 60_000);
    await h.telegramUpdate(textUpdate(unknownChat, "hello"));
    expect(await check()).toEqual([]);
    h.clock.advance(30 * 60_000);
    expect(await check()).toEqual([]);
    // ...and is told once it has.
    h.clock.advance(11 * 60_000);
    expect(await check()).toEqual(["dead_letters:firing"]);
    expect(told()).toHaveLength(3);
    // The state is kept in the audit log: a restarted service would not tell it again.
    const entries = await h.services.prisma.auditEntry.findMany({
      where: { action: { startsWith: "ops.alert:" } },
      orderBy: { createdAt: "asc" },
    });
    expect(entries.map((e) => e.action)).toEqual([
      "ops.alert:dead_letters:firing",
      "ops.alert:dead_letters:resolved",
      "ops.alert:dead_letters:firing",
    ]);
    // Nothing that identifies a resident in what operators were told.
    for (const text of told()) for (const chat of [resident, unknownChat]) expect(text).not.toContain(String(chat));
  });

  it("outbox: a due message unsent for longer than ALERT_OUTBOX_MINUTES, resolved once it is sent", async () => {
    await start();
    const address = "+447700900321";
    await h.services.prisma.contact.create({
      data: {
        id: "alerts-sms-resident",
        channel: "sms",
        addressHash: await h.services.addressCrypto.hash("sms", address),
        addressEnc: await h.services.addressCrypto.encrypt(address),
        language: "en",
        status: "active",
        consentVersion: "2026-11",
        area: "ST6",
      },
    });
    const report = await runBroadcast(
      { id: "alerts-feedback", flowId: "feedback" },
      {
        store: h.services.store,
        conversation: h.services.conversation,
        renderers: h.services.renderers,
        quietHours: { start: "00:00", end: "00:00" },
        timezone: "Europe/London",
        now: h.services.now,
      },
    );
    expect(report.queued).toBe(1);
    // The outbox loop is not running: the message stays due.
    h.clock.advance(14 * 60_000);
    expect(await check()).toEqual([]);
    h.clock.advance(2 * 60_000);
    expect(await check()).toEqual(["outbox_stuck:firing"]);
    expect(told()).toEqual([
      "PlaceVoice needs attention: the oldest message due in the outbox has waited 16 min unsent. See `placevoice status`.",
    ]);
    expect(await check()).toEqual([]);
    await h.services.dispatcher.drain();
    expect(h.twilio.sent.map((m) => m.to)).toEqual([address]);
    expect(await check()).toEqual(["outbox_stuck:resolved"]);
    expect(told().at(-1)).toBe("PlaceVoice resolved: the outbox is sending again.");
    expect(told().join("\n")).not.toContain("7700900321");
  });

  it("no inbound for ALERT_NO_INBOUND_HOURS: told during the day only, resolved by the next message", async () => {
    await start({ ALERT_NO_INBOUND_HOURS: "3", ORGANISATION_NAME: "Stoke Listens" });
    // Monday 10:00 in London (GMT in January): a resident writes.
    h.clock.set("2026-01-05T10:00:00Z");
    await h.telegramUpdate(textUpdate(82_000_001, "/start"));
    h.clock.set("2026-01-05T12:59:00Z");
    expect(await check()).toEqual([]);
    h.clock.set("2026-01-05T13:01:00Z");
    expect(await check()).toEqual(["no_inbound:firing"]);
    expect(told()).toEqual([
      "Stoke Listens (PlaceVoice) needs attention: no message from any resident for 3 h. See `placevoice status`.",
    ]);
    h.clock.set("2026-01-05T13:20:00Z");
    await h.telegramUpdate(textUpdate(82_000_002, "/start"));
    expect(await check()).toEqual(["no_inbound:resolved"]);
    // Silent from 13:20 into the night: not a word after 20:00...
    h.clock.set("2026-01-05T20:00:00Z");
    expect(await check()).toEqual([]);
    h.clock.set("2026-01-06T07:59:00Z");
    expect(await check()).toEqual([]);
    // ...and one message when the day starts.
    h.clock.set("2026-01-06T08:00:00Z");
    expect(await check()).toEqual(["no_inbound:firing"]);
    expect(told().at(-1)).toBe(
      "Stoke Listens (PlaceVoice) needs attention: no message from any resident for 19 h. See `placevoice status`.",
    );
    // A message at night clears it, though a silent night would not have raised it.
    h.clock.set("2026-01-06T22:00:00Z");
    await h.telegramUpdate(textUpdate(82_000_003, "/start"));
    expect(await check()).toEqual(["no_inbound:resolved"]);
    expect(told()).toHaveLength(4);
  });

  it("webhook errors: webhooks failing (the database locked) and Telegram's own delivery error, each cleared in turn", async () => {
    await start();
    // Another process holds SQLite's write lock past the busy timeout: webhooks are answered 503.
    const other = new Database(h.services.databaseFile);
    other.exec("BEGIN EXCLUSIVE");
    const failed = await Promise.all([
      h.telegramUpdateAnswered(textUpdate(83_000_001, "/start")),
      h.telegramUpdateAnswered(textUpdate(83_000_002, "/start")),
    ]);
    expect(failed.map((r) => r.status)).toEqual([503, 503]);
    other.exec("ROLLBACK");
    other.close();
    expect(await check()).toEqual(["webhook_errors:firing"]);
    expect(told()).toEqual([
      "PlaceVoice needs attention: 2 webhook request(s) failed (5xx) in the last 10 min. See `placevoice status`.",
    ]);
    // Ten minutes on, with webhooks answered again, the errors are out of the window.
    h.clock.advance(5 * 60_000);
    expect((await h.telegramUpdate(textUpdate(83_000_001, "/start"))).status).toBe(200);
    expect(await check()).toEqual([]);
    h.clock.advance(6 * 60_000);
    expect(await check()).toEqual(["webhook_errors:resolved"]);

    // Two hours later Telegram reports it could not deliver an update five minutes ago.
    h.clock.advance(2 * 3_600_000);
    h.telegram.webhookInfo = {
      ...h.telegram.webhookInfo,
      last_error_date: Math.floor((h.clock.now().getTime() - 5 * 60_000) / 1000),
      last_error_message: "Connection timed out",
    };
    expect(await check()).toEqual(["webhook_errors:firing"]);
    expect(told().at(-1)).toBe(
      "PlaceVoice needs attention: Telegram could not deliver to the webhook 5 min ago: Connection timed out. See `placevoice status`.",
    );
    h.clock.advance(6 * 60_000);
    expect(await check()).toEqual(["webhook_errors:resolved"]);
    expect(told()).toHaveLength(4);
  }, 20_000);

  it("an alert that could not be delivered is tried again at the next check, and told once", async () => {
    await start({ ALERT_TELEGRAM_CHAT_ID: "" });
    h.telegram.intercept = (call) =>
      call.method === "sendMessage"
        ? { ok: false, error_code: 400, description: "Bad Request: chat not found" }
        : undefined;
    await h.telegramUpdate(textUpdate(84_000_001, "/start"));
    refuse = 1;
    expect(await check()).toEqual([]);
    expect(h.logs.some((l) => l.includes("alert could not be sent rule=dead_letters state=firing"))).toBe(true);
    expect(posted).toEqual([]);
    h.clock.advance(60_000);
    expect(await check()).toEqual(["dead_letters:firing"]);
    expect(await check()).toEqual([]);
    expect(posted.map((p) => p.rule)).toEqual(["dead_letters"]);
  });
});
