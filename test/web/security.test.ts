// HTTP hardening and the operator role: security headers on every response, rate limits per
// resident and per API token, and the admin views that only operators may use — with every
// admin action and every refusal in the audit log.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inboundSms } from "../support/fake-twilio.js";
import { textUpdate } from "../support/fake-telegram.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";
import {
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ CONTACT_RATE_LIMIT: "5", API_RATE_LIMIT: "4" });
});
afterAll(async () => {
  await h.close();
});

async function auditActions(actor?: string): Promise<string[]> {
  const rows = await h.services.prisma.auditEntry.findMany({
    where: actor ? { actor } : {},
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => r.action);
}

/** Signs in at /dashboard/login as a browser would; returns a client carrying the session cookie. */
async function signIn(token: string): Promise<DashboardClient> {
  const client = new DashboardClient(h.app);
  await client.signIn(token);
  return client;
}

const page = (path: string, client: DashboardClient) => client.page(path);
const postForm = (path: string, client: DashboardClient, fields: Record<string, string>) => client.post(path, fields);

describe("security headers", () => {
  it("are on every page and API response, and a page's stricter choice is kept", async () => {
    const paths = [
      "/privacy",
      "/privacy?lang=cy",
      "/dashboard",
      "/dashboard/admin",
      "/champions/ABC123?key=wrong",
      "/api/v1/openapi.json",
      "/api/v1/insights/priorities",
      "/healthz",
      "/no-such-page",
    ];
    for (const path of paths) {
      const response = await h.app.request(path);
      const csp = response.headers.get("Content-Security-Policy") ?? "";
      expect(csp, path).toContain("default-src 'none'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("base-uri 'none'");
      expect(csp, path).not.toContain("script-src");
      expect(response.headers.get("X-Frame-Options"), path).toBe("DENY");
      expect(response.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(response.headers.get("Strict-Transport-Security"), path).toContain("max-age=31536000");
      expect(response.headers.get("Referrer-Policy"), path).toBe(
        path.startsWith("/champions/") ? "no-referrer" : "same-origin",
      );
      expect(response.headers.get("Permissions-Policy"), path).toContain("camera=()");
    }
  });
});

describe("rate limit per resident", () => {
  it("politely refuses messages over the limit once, processes none of them, and still honours STOP", async () => {
    const from = "+447700900321";
    const send = async (body: string) => {
      const response = await h.sms(
        inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
      );
      expect(response.status).toBe(200);
      return response.text();
    };
    // Five messages a minute are fine: a resident working through the flow.
    for (const body of ["hi", "english", "yes", "ST6 1AA"]) await send(body);
    expect(await send("housing")).toContain("Got it: Housing");
    // The sixth is refused, politely, and the seventh and eighth silently: none is processed.
    expect(await send("transport")).toContain("You're sending messages faster than we can read them");
    expect(await send("jobs")).not.toContain("<Message>");
    expect(await send("skip")).not.toContain("<Message>");
    const contact = await h.services.prisma.contact.findUniqueOrThrow({
      where: { channel_addressHash: { channel: "sms", addressHash: await h.services.addressCrypto.hash("sms", from) } },
    });
    const answers = await h.services.store.answersOf(contact.id);
    expect(answers.map((a) => [a.questionKey, a.value])).toEqual([
      ["postcode", "ST6"],
      ["priorities", ["housing"]],
    ]);
    // STOP is never rate limited.
    expect(await send("STOP")).toContain("You will not get any more messages");
    expect((await h.services.prisma.contact.findUniqueOrThrow({ where: { id: contact.id } })).status).toBe("stopped");
    expect(h.logs.filter((l) => l.includes("over the message rate limit")).length).toBe(1);
    // Other residents are not affected.
    const other = 4_321_000;
    expect((await h.telegramUpdate(textUpdate(other, "hi"))).status).toBe(200);
    expect(h.telegram.textsTo(other).at(-1)).toContain("English or Cymraeg");
  });
});

describe("rate limit per API token", () => {
  it("answers 429 with Retry-After over the limit, audits it once, and leaves other tokens alone", async () => {
    const first = (await h.services.partners.create("Rate Test Council", [])).token;
    const second = (await h.services.partners.create("Rate Test Partner", [])).token;
    const get = (token: string) =>
      h.app.request("/api/v1/insights/priorities", { headers: { Authorization: `Bearer ${token}` } });
    for (let i = 0; i < 4; i++) expect((await get(first)).status).toBe(200);
    const refused = await get(first);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("Retry-After"))).toBeLessThanOrEqual(60);
    expect(await refused.json()).toMatchObject({ error: "rate_limited" });
    expect((await get(first)).status).toBe(429);
    expect((await get(second)).status).toBe(200);
    expect((await auditActions("unknown")).filter((a) => a === "denied: rate limit")).toHaveLength(1);
  });
});

describe("operator role", () => {
  it("lets operators see flows, the outbox and partners, retry dead letters and manage tokens — all audited", async () => {
    const { partner: operator, token: operatorToken } = await h.services.partners.create("Platform team", [], {
      role: "operator",
    });
    const { partner: burslem, token: burslemToken } = await h.services.partners.create("Burslem Partnership", ["ST6"]);
    // A dead letter to retry.
    await h.telegramUpdate(textUpdate(5_550_001, "hi"));
    const contact = await h.services.prisma.contact.findFirstOrThrow({ where: { channel: "telegram" } });
    await h.services.prisma.outboxMessage.create({
      data: {
        id: "dead-letter-1",
        contactId: contact.id,
        channel: "telegram",
        payload: JSON.stringify({ text: "Private reply text" }),
        status: "dead",
        attempts: 8,
        idempotencyKey: "dead-1",
        lastError: "Telegram 500: Internal Server Error",
      },
    });

    const cookie = await signIn(operatorToken);
    const home = await page("/dashboard", cookie);
    expect(home.html).toContain('<a href="/dashboard/admin">Admin</a>');
    const admin = await page("/dashboard/admin", cookie);
    expect(admin.status).toBe(200);
    expect(admin.headers.get("Cache-Control")).toBe("no-store");
    expect(admin.html).toMatch(/<th scope="row">priorities \(entry\)<\/th><td>[^<]+<\/td><td>en, cy<\/td>/);
    expect(admin.html).toContain("help (help)");
    expect(admin.html).toContain("dead: 1");
    expect(admin.html).toContain("dead-letter-1");
    expect(admin.html).toContain("Telegram 500: Internal Server Error");
    // Never the message text or who it was for.
    expect(admin.html).not.toContain("Private reply text");
    expect(admin.html).not.toContain("5550001");
    expect(admin.html).toContain("Burslem Partnership");

    // Retry the dead letter.
    expect((await postForm("/dashboard/admin/outbox/retry", cookie, { id: "dead-letter-1" })).status).toBe(403);
    const csrf = csrfOf(admin.html);
    expect((await postForm("/dashboard/admin/outbox/retry", cookie, { id: "dead-letter-1", csrf })).status).toBe(303);
    expect((await h.services.prisma.outboxMessage.findUniqueOrThrow({ where: { id: "dead-letter-1" } })).status).toBe(
      "pending",
    );

    // Create a partner token from the dashboard: shown once, and it works on the API.
    const created = await postForm("/dashboard/admin/partners", cookie, {
      csrf,
      name: "Tunstall Trust",
      areas: "ST6, st4",
      role: "partner",
    });
    expect(created.status).toBe(200);
    const newToken = /data-testid="new-token">([^<]+)</.exec(await created.text())![1]!;
    expect(
      (
        await h.app.request("/api/v1/insights/priorities?area=ST4", {
          headers: { Authorization: `Bearer ${newToken}` },
        })
      ).status,
    ).toBe(200);
    expect((await h.services.partners.authenticate(newToken))?.areas).toEqual(["ST6", "ST4"]);
    const badAreas = await postForm("/dashboard/admin/partners", cookie, {
      csrf,
      name: "Nowhere",
      areas: "Stoke",
      role: "partner",
    });
    expect(badAreas.status).toBe(400);
    expect(await badAreas.text()).toContain("Not postcode districts: STOKE.");

    // Revoke the Burslem partner: its token stops working at once.
    expect(
      (await h.app.request("/api/v1/insights/priorities", { headers: { Authorization: `Bearer ${burslemToken}` } }))
        .status,
    ).toBe(200);
    expect((await postForm("/dashboard/admin/partners/revoke", cookie, { csrf, id: burslem.id })).status).toBe(303);
    expect(
      (await h.app.request("/api/v1/insights/priorities", { headers: { Authorization: `Bearer ${burslemToken}` } }))
        .status,
    ).toBe(401);

    expect(await auditActions(operator.id)).toEqual(
      expect.arrayContaining([
        "dashboard.login",
        "dashboard.view",
        "admin.view",
        "admin.outbox.retry",
        "partner.create",
        "partner.revoke",
      ]),
    );
    const audit = await page("/dashboard/admin", cookie);
    expect(audit.html).toContain("admin.outbox.retry");
  });

  it("refuses partners the admin views with 403 and an audit entry", async () => {
    const { partner, token } = await h.services.partners.create("Middleport Residents", ["ST6"]);
    const cookie = await signIn(token);
    expect((await page("/dashboard", cookie)).html).not.toContain("/dashboard/admin");
    const refused = await page("/dashboard/admin", cookie);
    expect(refused.status).toBe(403);
    expect(refused.html).toContain("The admin views are for operators.");
    const csrf = csrfOf((await page("/dashboard", cookie)).html);
    expect(
      (await postForm("/dashboard/admin/partners", cookie, { csrf, name: "Sneaky", role: "operator" })).status,
    ).toBe(403);
    expect(await h.services.prisma.partner.count({ where: { name: "Sneaky" } })).toBe(0);
    expect((await auditActions(partner.id)).filter((a) => a === "denied: admin view")).toHaveLength(2);
    // Not signed in at all: sent to the sign-in page.
    expect((await h.app.request("/dashboard/admin")).status).toBe(303);
  });
});
