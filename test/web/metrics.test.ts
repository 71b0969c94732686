// /metrics as Prometheus scrapes it: refused without an operator token, and after real
// conversations over both channels the numbers moved and no label carries anything personal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBroadcast } from "../../src/conversation/broadcast.js";
import {
  PUBLIC_URL,
  SMS_URL,
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
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const scrape = (token?: string) =>
  h.app.request(`${PUBLIC_URL}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

/** Samples as name{labels} -> value, and every label value seen (with the label's name). */
function parse(text: string) {
  const samples = new Map<string, number>();
  const labelValues: string[] = [];
  const labelPairs: [string, string][] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    expect(m, line).not.toBeNull();
    samples.set(`${m![1]}${m![2] ?? ""}`, Number(m![3]));
    for (const v of (m![2] ?? "").matchAll(/([a-z_]+)="([^"]*)"/g)) {
      labelValues.push(v[2]!);
      labelPairs.push([v[1]!, v[2]!]);
    }
  }
  return { samples, labelValues, labelPairs };
}

describe("/metrics", () => {
  it("refuses a scrape without a token, with a partner's token, and with a made-up one", async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get("WWW-Authenticate")).toContain("Bearer");
    const { token: partnerToken } = await h.services.partners.create("Burslem Partnership", ["ST6"]);
    expect((await scrape(partnerToken)).status).toBe(403);
    expect((await scrape("pv_madeUpTokenThatIsLongEnough123")).status).toBe(401);
  });

  it("moves with conversations, and no label carries a chat id, phone number or free text", async () => {
    const { token } = await h.services.partners.create("Platform team", [], { role: "operator" });
    const before = parse(await (await scrape(token)).text());
    const chat = 7_700_123;
    await h.telegramUpdate(textUpdate(chat, "/start"));
    await h.telegramUpdate(textUpdate(chat + 1, "/start"));
    const response = await scrape(token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(text).toContain("# TYPE placevoice_outbox_messages gauge");
    const after = parse(text);
    const sent = (m: Map<string, number>) => m.get('placevoice_outbox_messages{channel="telegram",status="sent"}') ?? 0;
    expect(sent(after.samples)).toBeGreaterThanOrEqual(sent(before.samples) + 2);
    expect(after.samples.get('placevoice_inbound_messages_retained{channel="telegram"}')).toBe(
      (before.samples.get('placevoice_inbound_messages_retained{channel="telegram"}') ?? 0) + 2,
    );
    expect(after.samples.get('placevoice_last_inbound_age_seconds{channel="telegram"}')).toBeLessThan(60);
    expect(after.samples.get("placevoice_outbox_oldest_due_seconds")).toBe(0);
    expect(after.samples.get("process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    // Only channel names and outbox states as label values (and, on counters, outcomes and results).
    for (const [name, value] of after.labelPairs)
      if (name === "channel" || name === "status")
        expect(["telegram", "sms", "pending", "sending", "sent", "dead", "cancelled", "other"]).toContain(value);
    expect(text).not.toContain(String(chat));
    // (A number on its own: a histogram's sum may hold such digits after its decimal point.)
    expect(text).not.toMatch(/\+44|\b07\d{9}\b/);
  });
});

describe("/metrics after conversations on both channels", () => {
  const chat = 7_712_345;
  const failingChat = 7_712_399;
  const phone = "+447700900123";
  const script = ["/start", "english", "yes", "ST6 1AA", "housing", "Damp in our flat by Swan Bank", "skip", "yes"];
  const sms = (body: string, from = phone) =>
    h.sms(inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }));

  it("counts inbound outcomes, step time, sends, retries, dead letters, 429s, pacer waits, the partner API and suppressions, with no personal label", async () => {
    const { token } = await h.services.partners.create("Monitoring", [], { role: "operator" });
    const before = parse(await (await scrape(token)).text()).samples;

    // A resident on Telegram and one on SMS each run the priorities flow, typing their answers.
    const updates = script.map((text) => textUpdate(chat, text));
    for (const update of updates) expect((await h.telegramUpdate(update)).status).toBe(200);
    for (const text of script) expect((await sms(text)).status).toBe(200);
    // Telegram delivers the last update again; a forged update and an unsigned SMS are refused.
    expect((await h.telegramUpdate(updates.at(-1))).status).toBe(200);
    expect((await h.telegramUpdate(textUpdate(chat, "hello"), "wrong-secret")).status).toBe(401);
    const unsigned = await h.sms({
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ From: phone, Body: "hello", MessageSid: `SM${"b".repeat(32)}` }).toString(),
    });
    expect(unsigned.status).toBe(403);

    // Telegram answers one reply with 429 (retry after 1 s): it is retried later and sent.
    let limited = false;
    h.telegram.intercept = (call) =>
      call.method === "sendMessage" && Number(call.params.chat_id) === chat && !limited && (limited = true)
        ? {
            ok: false,
            error_code: 429,
            description: "Too Many Requests: retry after 1",
            parameters: { retry_after: 1 },
          }
        : Number(call.params.chat_id) === failingChat
          ? { ok: false, error_code: 400, description: "Bad Request: chat not found" }
          : undefined;
    expect((await h.telegramUpdate(textUpdate(chat, "MYDATA"))).status).toBe(200);
    // A chat Telegram says does not exist: its reply is dead at once.
    expect((await h.telegramUpdate(textUpdate(failingChat, "/start"))).status).toBe(200);
    h.clock.advance(2_000);
    await h.services.dispatcher.drain();

    // A broadcast to an SMS resident who finished talking earlier, which Twilio first refuses
    // with 429 (Retry-After: 1).
    const earlier = "+447700900456";
    await h.services.prisma.contact.create({
      data: {
        id: "metrics-sms-earlier",
        channel: "sms",
        addressHash: await h.services.addressCrypto.hash("sms", earlier),
        addressEnc: await h.services.addressCrypto.encrypt(earlier),
        language: "en",
        status: "active",
        consentVersion: "2026-11",
        area: "ST6",
      },
    });
    let twilioLimited = false;
    h.twilio.intercept = () =>
      twilioLimited
        ? undefined
        : ((twilioLimited = true),
          {
            status: 429,
            body: { code: 20429, message: "Too Many Requests", status: 429 },
            headers: { "Retry-After": "1" },
          });
    const broadcast = await runBroadcast(
      { id: "metrics-feedback", flowId: "feedback", channel: "sms" },
      {
        store: h.services.store,
        conversation: h.services.conversation,
        renderers: h.services.renderers,
        quietHours: { start: "00:00", end: "00:00" },
        timezone: "Europe/London",
        now: h.services.now,
      },
    );
    expect(broadcast).toMatchObject({ queued: 1, busy: 1 });
    await h.services.dispatcher.drain();
    h.clock.advance(2_000);
    await h.services.dispatcher.drain();
    expect(h.twilio.sent.filter((m) => m.to === earlier)).toHaveLength(1);
    h.telegram.intercept = undefined;
    h.twilio.intercept = undefined;

    // A partner reads priorities (two residents: every number is withheld); a request without a token is refused.
    const { token: partnerToken } = await h.services.partners.create("Burslem Partnership", ["ST6"]);
    const priorities = (auth?: string) =>
      h.app.request(
        `${PUBLIC_URL}/api/v1/insights/priorities?area=ST6`,
        auth ? { headers: { Authorization: `Bearer ${auth}` } } : {},
      );
    expect((await priorities()).status).toBe(401);
    const table = (await (await priorities(partnerToken)).json()) as { respondents: { suppressed: boolean } };
    expect(table.respondents.suppressed).toBe(true);

    // An hour on, the directory has not been checked since the service started.
    h.clock.advance(60 * 60_000);
    const response = await scrape(token);
    expect(response.status).toBe(200);
    const text = await response.text();
    if (process.env.SHOW_METRICS) console.log(text);
    const after = parse(text);
    const moved = (sample: string) => (after.samples.get(sample) ?? 0) - (before.get(sample) ?? 0);

    expect(moved('placevoice_inbound_messages_total{channel="telegram",outcome="handled"}')).toBe(script.length + 2);
    expect(moved('placevoice_inbound_messages_total{channel="telegram",outcome="duplicate"}')).toBe(1);
    expect(moved('placevoice_inbound_messages_total{channel="telegram",outcome="refused"}')).toBe(1);
    expect(moved('placevoice_inbound_messages_total{channel="sms",outcome="handled"}')).toBe(script.length);
    expect(moved('placevoice_inbound_messages_total{channel="sms",outcome="refused"}')).toBe(1);
    expect(moved('placevoice_step_duration_seconds_count{channel="telegram"}')).toBe(script.length + 3);
    expect(moved('placevoice_step_duration_seconds_count{channel="sms"}')).toBe(script.length);
    expect(moved('placevoice_step_duration_seconds_bucket{channel="sms",le="+Inf"}')).toBe(script.length);
    expect(moved('placevoice_step_duration_seconds_sum{channel="sms"}')).toBeGreaterThan(0);

    const telegramSent = h.telegram.callsOf("sendMessage").length - h.telegram.refused.length;
    expect(moved('placevoice_replies_total{channel="telegram",result="retried"}')).toBe(1);
    expect(moved('placevoice_replies_total{channel="telegram",result="dead"}')).toBe(1);
    expect(moved('placevoice_replies_total{channel="telegram",result="sent"}')).toBeGreaterThanOrEqual(script.length);
    expect(moved('placevoice_replies_total{channel="sms",result="retried"}')).toBe(1);
    expect(moved('placevoice_replies_total{channel="sms",result="sent"}')).toBe(1);
    expect(moved('placevoice_platform_rate_limited_total{channel="telegram"}')).toBe(1);
    expect(moved('placevoice_platform_rate_limited_total{channel="sms"}')).toBe(1);
    // Every send waited for its pacer once: sent, retried or dead.
    expect(moved('placevoice_pacer_wait_seconds_count{channel="telegram"}')).toBe(
      moved('placevoice_replies_total{channel="telegram",result="sent"}') + 2,
    );
    expect(moved('placevoice_pacer_wait_seconds_count{channel="sms"}')).toBe(2);
    // The retried Telegram reply waited out the second the platform asked for.
    expect(moved('placevoice_pacer_wait_seconds_sum{channel="telegram"}')).toBeGreaterThanOrEqual(0.9);
    expect(telegramSent).toBeGreaterThan(0);
    expect(moved('placevoice_outbox_messages{channel="telegram",status="dead"}')).toBe(1);

    expect(moved('placevoice_partner_api_requests_total{endpoint="priorities",outcome="refused"}')).toBe(1);
    expect(moved('placevoice_partner_api_requests_total{endpoint="priorities",outcome="ok"}')).toBe(1);
    expect(moved('placevoice_disclosure_suppressed_cells_total{audience="partners"}')).toBeGreaterThan(0);
    expect(after.samples.get("placevoice_directory_reload_age_seconds")).toBeGreaterThanOrEqual(3600);

    // Every label value comes from a fixed list; nothing a resident typed or is known by.
    const allowed: Record<string, readonly string[]> = {
      channel: ["telegram", "sms"],
      status: ["pending", "sending", "sent", "dead", "cancelled"],
      outcome: ["handled", "duplicate", "refused", "failed", "ok", "rate_limited", "bad_request", "error"],
      result: ["sent", "retried", "dead", "skipped"],
      endpoint: ["priorities", "themes", "trend", "quotes", "reach", "feed", "openapi", "other"],
      audience: ["partners", "public"],
    };
    for (const [name, value] of after.labelPairs) {
      if (name === "le") expect(value).toMatch(/^(\d+(\.\d+)?|\+Inf)$/);
      else expect(allowed[name], `label ${name}`).toContain(value);
    }
    for (const personal of [
      String(chat),
      String(failingChat),
      phone,
      phone.slice(1),
      "07700900123",
      "ST6",
      "Damp",
      "Swan Bank",
    ])
      expect(text).not.toContain(personal);
  });
});
