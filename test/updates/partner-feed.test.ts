// Insight pushed to partners: the polling feed at /api/v1/feed (ETag / If-None-Match), and a
// registered webhook that receives it signed, is retried after the receiving server fails,
// and never carries a number under the threshold.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { published, startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";

let h: Harness;
let token: string;
let partnerId: string;
let n = 0;

async function resident(postcode: string, picks: string) {
  const address = `+4477009${String(++n).padStart(5, "0")}`;
  for (const text of ["hi", "1", "yes", postcode, picks, "skip", "skip", "no", "yes"])
    await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
}

/** Every count-like number in a feed: each must be withheld (null) or at least the threshold. */
function counts(value: unknown, key = ""): { key: string; value: number }[] {
  if (Array.isArray(value)) return value.flatMap((v) => counts(v, key));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => counts(v, k));
  return typeof value === "number" && ["count", "sentTo", "delivered", "helpful", "notHelpful"].includes(key)
    ? [{ key, value }]
    : [];
}

beforeAll(async () => {
  // The test receiver listens on this machine: an operator may allow such a host for local testing, never a partner.
  h = await startHarness({ QUIET_HOURS: "00:00-00:00", WEBHOOK_ALLOW_HOSTS: "127.0.0.1" });
  // ST6: 12 residents (transport for 11 of them); ST4: 3.
  for (let i = 0; i < 12; i++) await resident("ST6 1AA", i < 11 ? "6, 1" : "2");
  for (let i = 0; i < 3; i++) await resident("ST4 1AA", "6");
  const created = await h.services.partners.create("Burslem Partnership", ["ST6", "ST4"]);
  token = created.token;
  partnerId = created.partner.id;
}, 60_000);

afterAll(async () => {
  await h.close();
});

const getFeed = (headers: Record<string, string> = {}) =>
  h.app.request("/api/v1/feed", { headers: { Authorization: `Bearer ${token}`, ...headers } });

describe("the feed at /api/v1/feed", () => {
  it("serves the partner's insight with an ETag, 304 while unchanged, and a new ETag when it changes", async () => {
    const first = await getFeed();
    expect(first.status).toBe(200);
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    const body = (await first.json()) as {
      areas: string[];
      priorities: { respondents: { count: number | null } };
      byArea: { area: string; priorities: { respondents: { count: number | null } } }[];
    };
    expect(body.areas).toEqual(["ST6", "ST4"]);
    expect(body.priorities.respondents.count).toBe(published(15));
    // ST4 has 3: withheld; and so is ST6's 12, which would give ST4's away by subtraction from 15.
    expect(body.byArea.find((a) => a.area === "ST4")!.priorities.respondents.count).toBeNull();
    expect(body.byArea.find((a) => a.area === "ST6")!.priorities.respondents.count).toBeNull();
    for (const c of counts(body)) expect(c.value, c.key).toBeGreaterThanOrEqual(10);

    const again = await getFeed({ "If-None-Match": etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    await resident("ST6 2BB", "6");
    const changed = await getFeed({ "If-None-Match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("ETag")).not.toBe(etag);
    expect((await h.app.request("/api/v1/feed")).status).toBe(401);
  });
});

describe("partner webhooks", () => {
  const received: { body: string; headers: Record<string, string | string[] | undefined> }[] = [];
  let failNext = 1;
  let receiver: Server;
  let url: string;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
        if (failNext-- > 0) {
          res.writeHead(500).end("down for maintenance");
          return;
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/placevoice-hook`;
  });
  afterAll(async () => {
    await new Promise((r) => receiver.close(r));
  });

  it("are registered from the dashboard, signed verifiably, retried after the receiver fails, and hold nothing under the threshold", async () => {
    const client = new DashboardClient(h.app);
    await client.signIn(token);
    const page = await client.page("/dashboard/webhook");
    const csrf = csrfOf(page.html);
    expect((await client.post("/dashboard/webhook", { csrf, url: "ftp://example.org" })).status).toBe(400);
    const registered = await client.post("/dashboard/webhook", { csrf, url });
    expect(registered.status).toBe(200);
    const secret = /data-testid="webhook-secret">(whsec_[\w-]+)</.exec(await registered.text())![1]!;

    // Send now: the receiver fails the first time; the delivery stays queued with a later retry.
    expect((await client.post("/dashboard/webhook/send", { csrf })).status).toBe(303);
    expect(received).toHaveLength(1);
    const log = await client.page("/dashboard/webhook");
    expect(log.html).toMatch(
      /<td>on_demand<\/td><td>pending<\/td><td class="num">1<\/td><td>refused by your server \(HTTP 500\)<\/td>/,
    );
    // The retry comes after its backoff (1 minute): not before.
    expect(await h.services.feed.deliverDue()).toEqual({ delivered: 0, failed: 0, dead: 0 });
    h.clock.advance(61_000);
    expect(await h.services.feed.deliverDue()).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(received).toHaveLength(2);
    // The same delivery, the same bytes, each time.
    expect(received[1]!.body).toBe(received[0]!.body);
    expect(received[1]!.headers["x-placevoice-delivery"]).toBe(received[0]!.headers["x-placevoice-delivery"]);

    // The recipe in docs/insight-and-disclosure.md: recompute HMAC-SHA256(secret, "<t>.<raw body>") and compare in constant time.
    for (const r of received) {
      const header = String(r.headers["x-placevoice-signature"]);
      const { t, v1 } = Object.fromEntries(header.split(",").map((part) => part.split("=") as [string, string]));
      const expected = createHmac("sha256", secret).update(`${t}.${r.body}`).digest("hex");
      expect(timingSafeEqual(Buffer.from(v1!, "hex"), Buffer.from(expected, "hex"))).toBe(true);
      expect(Math.abs(h.services.now().getTime() / 1000 - Number(t))).toBeLessThan(300);
      // A tampered body does not verify.
      expect(
        createHmac("sha256", secret)
          .update(`${t}.${r.body.replace("ST6", "ST7")}`)
          .digest("hex"),
      ).not.toBe(v1);
    }
    const payload = JSON.parse(received[1]!.body) as { kind: string; feed: unknown };
    expect(payload.kind).toBe("on_demand");
    for (const c of counts(payload.feed)) expect(c.value, c.key).toBeGreaterThanOrEqual(10);
    expect(received[1]!.body).not.toMatch(/\+4477009/);
    expect((await client.page("/dashboard/webhook")).html).toMatch(
      /<td>on_demand<\/td><td>delivered<\/td><td class="num">2<\/td><td>delivered<\/td>/,
    );
    const audit = (await h.services.prisma.auditEntry.findMany({ where: { actor: partnerId } })).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(["webhook.register", "webhook.send"]));
  });

  it("sends the weekly feed once a week", async () => {
    const byId = (id: string) => h.services.partners.byId(id);
    expect(await h.services.feed.enqueueWeekly(byId)).toBe(1);
    expect(await h.services.feed.enqueueWeekly(byId)).toBe(0);
    expect(await h.services.feed.deliverDue()).toEqual({ delivered: 1, failed: 0, dead: 0 });
    expect(JSON.parse(received.at(-1)!.body).kind).toBe("weekly");
  });
});
