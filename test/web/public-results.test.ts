// Public results, opt-in per area: an operator publishes an area from the dashboard; anyone can
// then read its priorities at /results/<area> and its "you said, we did" updates, in English
// and Welsh, without signing in, every number through the disclosure gate at the public
// threshold (stricter here than partners'). Through app.request() as a browser sends it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_URL, published, startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";

const PUBLIC_K = 15;
let h: Harness;
let n = 0;

/** One resident through the priorities flow over SMS. */
async function resident(area: string, picks: string) {
  const address = `+4477009${String(++n).padStart(5, "0")}`;
  for (const text of ["hi", "english", "yes", `${area} 1AA`, picks, "skip", "skip", "no"])
    await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
}

const get = async (path: string) => {
  const res = await h.app.request(`${PUBLIC_URL}${path}`, { headers: { Accept: "text/html" } });
  return { status: res.status, html: await res.text(), headers: res.headers };
};

let operator: DashboardClient;

beforeAll(async () => {
  h = await startHarness({ PUBLIC_K_THRESHOLD: String(PUBLIC_K) });
  for (let i = 0; i < 20; i++) await resident("ST6", "housing, transport");
  for (let i = 0; i < 12; i++) await resident("ST3", "housing");
  // A third district, so that neither ST6's figures nor all areas' minus ST6's is a small group.
  for (let i = 0; i < 20; i++) await resident("ST1", "housing, transport");
  const { token } = await h.services.partners.create("Platform team", [], { role: "operator" });
  operator = new DashboardClient(h.app);
  await operator.signIn(token);
}, 120_000);

afterAll(async () => {
  await h.close();
});

describe("public results", () => {
  it("shows nothing until an operator publishes an area; an unpublished area reads as any unknown page", async () => {
    const index = await get("/results");
    expect(index.status).toBe(200);
    expect(index.html).toContain("No results have been published yet.");
    const st6 = await get("/results/ST6");
    const unknown = await get("/results/ZZ9");
    expect(st6.status).toBe(404);
    expect(st6.html).toBe(unknown.html);
    expect(st6.html).not.toContain("ST6");
    expect((await get("/results/not-an-area")).status).toBe(404);
    // The front door points at the results.
    expect((await get("/")).html).toContain('href="/results"');
  });

  it("lets only an operator publish, with the session's CSRF token, and audits it", async () => {
    const { token } = await h.services.partners.create("Curious partner", ["ST6"]);
    const partner = new DashboardClient(h.app);
    await partner.signIn(token);
    expect((await partner.page("/dashboard/public")).status).toBe(403);
    const partnerForm = await partner.page("/dashboard");
    expect((await partner.post("/dashboard/public", { csrf: csrfOf(partnerForm.html), area: "ST6" })).status).toBe(403);

    const form = await operator.page("/dashboard/public");
    expect(form.status).toBe(200);
    expect(form.html).toContain("No area is public.");
    expect((await operator.post("/dashboard/public", { area: "ST6", action: "publish" })).status).toBe(403);
    const bad = await operator.post("/dashboard/public", {
      csrf: csrfOf(form.html),
      area: "ST6; DROP",
      action: "publish",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Area must be a postcode district such as ST6.");
    for (const area of ["st6", "ST3"]) {
      const res = await operator.post("/dashboard/public", { csrf: csrfOf(form.html), area, action: "publish" });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain(`${area.toUpperCase()} is public: /results/${area.toUpperCase()}`);
    }
    expect((await get("/results/ST6")).status).toBe(200);
    const audit = await h.services.partners.recentAudit(20);
    expect(audit.filter((a) => a.action === "admin.public.publish").map((a) => JSON.parse(a.detail).area)).toEqual(
      expect.arrayContaining(["ST6", "ST3"]),
    );
    expect(audit.some((a) => a.action === "denied: admin view")).toBe(true);
  });

  it("shows a published area's priorities with period, base, units and source, at the public threshold", async () => {
    const index = await get("/results");
    expect(index.html).toContain('<a href="/results/ST3">ST3 Longton</a>');
    expect(index.html).toContain('<a href="/results/ST6">ST6 Burslem</a>');

    const st6 = await get("/results/ST6");
    expect(st6.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(st6.html).toContain("<h1>What residents in ST6 Burslem told us</h1>");
    expect(st6.html).toMatch(/data-testid="period">Answers from [^<]+ \(the last 52 weeks\)\.</);
    expect(st6.html).toContain(`<strong data-testid="respondents">${published(20, PUBLIC_K)}</strong>`);
    expect(st6.html).toContain(`of ${published(20, PUBLIC_K)} residents who answered. Number of residents`);
    expect(st6.html).toContain("Source: residents' answers to PlaceVoice.");
    expect(st6.html).toContain(
      `<th scope="row">Housing</th><td class="num " data-label="Residents">${published(20, PUBLIC_K)}</td>`,
    );
    expect(st6.html).toContain(`numbers under ${PUBLIC_K} are withheld`);
    // Nobody chose safety: withheld, not zero.
    expect(st6.html).toContain(`<td class="num suppressed" data-label="Residents">fewer than ${PUBLIC_K}</td>`);

    // 12 residents in ST3: enough for partners (K = 10), withheld on the public page (K = 15).
    const st3 = await get("/results/ST3");
    expect(st3.html).toContain(
      `Fewer than ${PUBLIC_K} residents in ST3 Longton answered in the last 52 weeks, so the figures are withheld to protect them.`,
    );
    expect(st3.html).not.toContain('data-testid="respondents"');
    const { token } = await h.services.partners.create("ST3 partner", ["ST3"]);
    const api = await h.app.request("/api/v1/insights/priorities?area=ST3&period=year", {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(((await api.json()) as { respondents: { count: number } }).respondents.count).toBe(published(12));
  });

  it("reads in Welsh", async () => {
    const st6 = await get("/results/ST6?lang=cy");
    expect(st6.html).toContain('<html lang="cy">');
    expect(st6.html).toContain("<h1>Beth ddywedodd trigolion ST6 Burslem wrthon ni</h1>");
    expect(st6.html).toContain("Neidio i&#39;r prif gynnwys");
    expect(st6.html).toMatch(/Atebion o [^<]+ \(y 52 wythnos diwethaf\)\./);
    expect(st6.html).toContain(`<th scope="row">Tai</th>`);
    expect(st6.html).toContain('href="/results/ST6" hreflang="en"');
    expect((await get("/results?lang=cy")).html).toContain('<a href="/results/ST6?lang=cy">ST6 Burslem</a>');
  });

  it("lists the updates sent to public areas, in the reader's language, and none for other areas", async () => {
    const author = "operator (cli)";
    await h.services.updates.publish({
      author,
      theme: "housing",
      areas: ["ST6"],
      weDid: { en: "We repaired the bus shelter on the High Street.", cy: "Rydyn ni wedi trwsio'r lloches bws." },
    });
    await h.services.updates.publish({
      author,
      theme: "housing",
      areas: ["ST9"],
      weDid: { en: "A private plan for ST9.", cy: "Cynllun preifat ar gyfer ST9." },
    });
    const page = await get("/you-said-we-did");
    expect(page.status).toBe(200);
    expect(page.html).toContain("We repaired the bus shelter on the High Street.");
    expect(page.html).toContain("<strong>Areas:</strong> ST6 Burslem</p>");
    expect(page.html).not.toContain("ST9");
    expect(page.html).toMatch(/<strong>You said:<\/strong> [^<]*\d+%/);
    const welsh = await get("/you-said-we-did?lang=cy");
    expect(welsh.html).toContain("Rydyn ni wedi trwsio&#39;r lloches bws.");
    expect(welsh.html).toContain("Fe wnaethon ni");
  });

  it("takes an area off the public pages when the operator withdraws it", async () => {
    const form = await operator.page("/dashboard/public");
    const res = await operator.post("/dashboard/public", { csrf: csrfOf(form.html), area: "ST6", action: "withdraw" });
    expect(await res.text()).toContain("ST6 is no longer public.");
    expect((await get("/results/ST6")).status).toBe(404);
    expect((await get("/results")).html).not.toContain('href="/results/ST6"');
    expect((await get("/you-said-we-did")).html).not.toContain("bus shelter");
  });
});
