// /metrics as Prometheus scrapes it: refused without an operator token, and after real
// conversations over both channels the numbers moved and no label carries anything personal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, startHarness, type Harness } from "../support/channel-harness.js";
import { textUpdate } from "../support/fake-telegram.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const scrape = (token?: string) =>
  h.app.request(`${PUBLIC_URL}/metrics`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});

/** Samples as name{labels} -> value, and every label value seen. */
function parse(text: string) {
  const samples = new Map<string, number>();
  const labelValues: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    expect(m, line).not.toBeNull();
    samples.set(`${m![1]}${m![2] ?? ""}`, Number(m![3]));
    for (const v of (m![2] ?? "").matchAll(/="([^"]*)"/g)) labelValues.push(v[1]!);
  }
  return { samples, labelValues };
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
    // Only channel names and outbox states as label values.
    for (const value of after.labelValues)
      expect(["telegram", "sms", "pending", "sending", "sent", "dead", "cancelled", "other"]).toContain(value);
    expect(text).not.toContain(String(chat));
    expect(text).not.toMatch(/\+44|07\d{9}/);
  });
});
