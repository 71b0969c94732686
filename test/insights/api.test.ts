// Partner API end to end: residents answer over SMS and Telegram (through the real host and
// flows), a partner reads the aggregates with a bearer token, and disclosure control holds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { published, startHarness, type Harness } from "../support/channel-harness.js";

let h: Harness;
let token: string;
let st6Token: string;

/** One resident through the priorities flow, directly through the conversation host. */
async function resident(
  h: Harness,
  channel: "sms" | "telegram",
  address: string,
  postcode: string,
  picks: string,
  ageBand = "skip",
) {
  for (const text of ["hi", "english", "yes", postcode, picks, "skip", ageBand, "no"]) {
    await h.services.conversation.handle({ channel, address, input: { type: "text", text } });
  }
}

beforeAll(async () => {
  h = await startHarness();
  let n = 0;
  const phone = () => `+4477009${String(++n).padStart(5, "0")}`;
  // ST6: 25 over SMS pick housing and transport; 5 over Telegram pick housing only.
  for (let i = 0; i < 25; i++)
    await resident(h, "sms", phone(), "ST6 1AA", "housing, transport", i < 12 ? "3" : "skip");
  for (let i = 0; i < 5; i++) await resident(h, "telegram", String(900_000 + i), "ST6 2BB", "housing");
  // ST3: 12 residents; all pick jobs, 9 of them also safety.
  for (let i = 0; i < 12; i++) await resident(h, "sms", phone(), "ST3 4HS", i < 9 ? "jobs, safety" : "jobs");
  // ST4: only 4 residents.
  for (let i = 0; i < 4; i++) await resident(h, "sms", phone(), "ST4 7QB", "digital");
  token = (await h.services.partners.create("Stoke-on-Trent City Council", [])).token;
  st6Token = (await h.services.partners.create("Burslem Partnership", ["ST6"])).token;
}, 120_000);

afterAll(async () => {
  await h.close();
});

async function get(path: string, bearer: string | null = token) {
  const response = await h.app.request(path, { headers: bearer ? { Authorization: `Bearer ${bearer}` } : {} });
  const type = response.headers.get("Content-Type") ?? "";
  return {
    status: response.status,
    body: type.includes("json") ? await response.json() : await response.text(),
    headers: response.headers,
  };
}

type Row = { theme: string; count: number | null; share: number | null; suppressed: boolean };
const row = (body: { rows: Row[] }, theme: string) => body.rows.find((r) => r.theme === theme)!;

describe("partner API", () => {
  it("counts residents per priority with shares, and withholds counts under the threshold", async () => {
    const { status, body } = await get("/api/v1/insights/priorities?area=ST6");
    expect(status).toBe(200);
    expect(body.threshold).toBe(10);
    expect(body.respondents).toEqual({ count: published(30), suppressed: false });
    expect(row(body, "housing")).toMatchObject({ count: published(30), share: 100, suppressed: false });
    // 25 of 30 picked transport: publishing it would say 5 did not, so it is withheld.
    expect(row(body, "transport")).toMatchObject({ count: null, share: null, suppressed: true });
    expect(row(body, "safety")).toMatchObject({ count: null, suppressed: true });
    expect(body.rows[0].theme).toBe("housing"); // largest first
  });

  it("cannot be made to reveal a small group by subtracting a filtered query", async () => {
    const all = (await get("/api/v1/insights/priorities?area=ST6")).body;
    const sms = (await get("/api/v1/insights/priorities?area=ST6&channel=sms")).body;
    const telegram = (await get("/api/v1/insights/priorities?area=ST6&channel=telegram")).body;
    // Telegram housing is 5: suppressed itself, and SMS housing (25) is withheld too, because
    // 30 - 25 would give the 5 away.
    expect(row(telegram, "housing")).toMatchObject({ count: null, suppressed: true });
    expect(row(sms, "housing")).toMatchObject({ count: null, suppressed: true });
    expect(row(all, "housing").count).toBe(published(30));
    expect(sms.respondents).toEqual({ count: null, suppressed: true }); // 30 - 25 = 5 again
    // Every difference between published numbers: none is the hidden 5.
    const numbers = [all, sms, telegram]
      .flatMap((t) => [t.respondents.count, ...t.rows.map((r: Row) => r.count)])
      .filter((c): c is number => c !== null);
    for (const a of numbers) for (const b of numbers) expect(a - b, `published ${JSON.stringify(numbers)}`).not.toBe(5);
  });

  it("cannot be made to reveal a suppressed cell from the area total and the other cells", async () => {
    const st3 = (await get("/api/v1/insights/priorities?area=ST3")).body;
    expect(st3.respondents.count).toBe(published(12));
    expect(row(st3, "jobs_skills").count).toBe(published(12));
    expect(row(st3, "safety")).toMatchObject({ count: null, suppressed: true }); // truly 9
    // Residents pick several priorities, so cells never add up to the total: total minus the
    // published cells says nothing about safety.
    const publishedCells = st3.rows.filter((r: Row) => r.count !== null).reduce((s: number, r: Row) => s + r.count!, 0);
    expect(st3.respondents.count - publishedCells).not.toBe(9);
    for (const r of st3.rows as Row[]) if (r.count !== null) expect(st3.respondents.count - r.count).not.toBe(9);
  });

  it("suppresses everything for a filter that covers fewer residents than the threshold", async () => {
    const st4 = (await get("/api/v1/insights/priorities?area=ST4")).body;
    expect(st4.respondents).toEqual({ count: null, suppressed: true });
    expect((st4.rows as Row[]).every((r) => r.suppressed)).toBe(true);
    const ageBand = (await get("/api/v1/insights/priorities?area=ST6&age_band=age_25_34")).body;
    expect(ageBand.respondents).toEqual({ count: published(12), suppressed: false });
    expect(row(ageBand, "housing")).toMatchObject({ count: published(12) });
  });

  it("keeps a partner to its own areas", async () => {
    expect((await get("/api/v1/insights/priorities?area=ST3", st6Token)).status).toBe(403);
    const own = (await get("/api/v1/insights/priorities", st6Token)).body;
    expect(own.respondents.count).toBe(published(30));
  });

  it("gives trends by four-week block without totals, saying what each point covers", async () => {
    const { body } = await get("/api/v1/insights/trend?theme=housing&area=ST6");
    // Everyone answered on 5 January 2026 (the harness's clock): one block, 29 Dec 2025 to 25 Jan 2026, cut at today.
    expect(body.period).toEqual({ id: "all", from: "2026-01-05", to: "2026-01-05" });
    expect(body.points).toEqual([
      { period: { id: "2025-12-29", from: "2025-12-29", to: "2026-01-05" }, count: published(30), suppressed: false },
    ]);
    expect(body.total).toBeUndefined();
  });

  it("offers CSV, with suppressed cells written as 'fewer than 10'", async () => {
    const { status, body, headers } = await get("/api/v1/insights/priorities?area=ST6&format=csv");
    expect(status).toBe(200);
    expect(headers.get("Content-Type")).toContain("text/csv");
    // A file that travels on its own still says what it covers, on every row, and in its name.
    expect(headers.get("Content-Disposition")).toBe(
      'attachment; filename="priorities_ST6_2026-01-05_to_2026-01-05.csv"',
    );
    const lines = String(body).trim().split("\r\n");
    expect(lines[0]).toBe(
      "area,area_name,period_from,period_to,question,respondents,theme,label,residents,share_percent,generated_at,note",
    );
    const context = `ST6,Burslem,2026-01-05,2026-01-05,What matters most to you in your area? (up to three priorities each),${published(30)}`;
    expect(lines[1]!.startsWith(`${context},housing,Housing,${published(30)},100,2026-01-05T`)).toBe(true);
    expect(lines[1]).toContain(
      ',"Numbers under 10 are withheld and the others slightly adjusted, so that no small group',
    );
    expect(lines.some((l) => l.includes(",safety,Feeling safe,fewer than 10,,"))).toBe(true);
  });

  it("refuses missing, wrong and revoked tokens, checks queries, and audits every request", async () => {
    expect((await get("/api/v1/insights/priorities", null)).status).toBe(401);
    expect((await get("/api/v1/insights/priorities", "pv_not-a-real-token-at-all-000000")).status).toBe(401);
    const { token: soon } = await h.services.partners.create("Short-lived", []);
    expect((await get("/api/v1/insights/priorities", soon)).status).toBe(200);
    await h.services.partners.revoke("Short-lived");
    expect((await get("/api/v1/insights/priorities", soon)).status).toBe(401);
    expect((await get("/api/v1/insights/priorities?area=nowhere")).status).toBe(400);
    expect((await get("/api/v1/insights/trend?theme=unicorns")).status).toBe(400);
    // Any day is not a period: from/to are refused with a message saying what to send instead.
    const days = await get("/api/v1/insights/priorities?from=2026-12-01&to=2026-01-01");
    expect(days.status).toBe(400);
    expect(days.body.message).toContain('ask for a period ("all", "year", or a day of the four-week block you want)');
    expect((await get("/api/v1/insights/priorities?period=2026-13-45")).status).toBe(400);
    expect((await get("/api/v1/insights/priorities?period=2031-01-01")).status).toBe(400);
    const audit = await h.services.prisma.auditEntry.findMany({ where: { action: "GET /api/v1/insights/priorities" } });
    expect(audit.length).toBeGreaterThan(5);
    expect(JSON.parse(audit.find((a) => a.detail.includes("ST3"))!.detail)).toEqual({ area: "ST3" });
  });

  it("describes itself with OpenAPI", async () => {
    const { status, body } = await get("/api/v1/openapi.json", null);
    expect(status).toBe(200);
    expect(body.openapi).toBe("3.1.0");
    expect(Object.keys(body.paths)).toEqual([
      "/api/v1/insights/priorities",
      "/api/v1/insights/themes",
      "/api/v1/insights/offers",
      "/api/v1/insights/trend",
      "/api/v1/insights/reach",
      "/api/v1/insights/quotes",
      "/api/v1/feed",
      "/api/v1/relays",
      "/api/v1/relays/{id}/messages",
    ]);
    // Every partner API route the app serves is described, with its method.
    const served = h.app.routes
      .filter((r) => r.path.startsWith("/api/v1/") && r.path !== "/api/v1/openapi.json" && r.method !== "ALL")
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    const described = Object.entries(body.paths as Record<string, object>).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    );
    expect(served.length).toBeGreaterThan(6);
    expect([...new Set(served)].sort()).toEqual(described.sort());
  });
});

describe("refusals are audited", () => {
  it("records an invalid token, a revoked one, an area outside the partner's, and a champion link for another champion", async () => {
    const before = await h.services.prisma.auditEntry.count({ where: { action: { startsWith: "denied" } } });
    await get("/api/v1/insights/priorities", "pv_not-a-real-token-at-all-000000");
    await get("/api/v1/insights/priorities?area=ST3", st6Token);
    const champion = await h.app.request("/champions/ST6BUS?key=not-the-key");
    expect(champion.status).toBe(404);
    const denied = await h.services.prisma.auditEntry.findMany({
      where: { action: { startsWith: "denied" } },
      orderBy: { createdAt: "asc" },
    });
    expect(denied.length - before).toBe(3);
    expect(denied.map((d) => d.action)).toEqual(
      expect.arrayContaining([
        "denied: invalid or revoked token",
        "denied: area outside partner's areas",
        "denied: champion view",
      ]),
    );
    expect(JSON.stringify(denied)).not.toContain("pv_not-a-real-token");
  });

  it("refuses oversized bodies on every route", async () => {
    const response = await h.app.request("/dashboard/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": String(200_000) },
      body: `token=${"x".repeat(200_000)}`,
    });
    expect(response.status).toBe(413);
  });
});

describe("partner accounts", () => {
  it("are dated by the service's clock, as the admin page lists them", async () => {
    h.clock.set(new Date("2026-03-09T08:30:00Z"));
    const { partner } = await h.services.partners.create("Dated partner", ["ST6"]);
    const listed = (await h.services.partners.list()).find((p) => p.id === partner.id)!;
    // The test clock runs on from where it is set: the same minute.
    expect(listed.createdAt.toISOString().slice(0, 16)).toBe("2026-03-09T08:30");
    const audit = (await h.services.partners.recentAudit(5)).find((a) => a.action === "partner.create")!;
    expect(audit.createdAt.toISOString().slice(0, 16)).toBe("2026-03-09T08:30");
  });
});
