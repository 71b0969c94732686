// What the dashboard says when there is nothing, or too little, to show; and its age filter.
// Through app.request() as a browser sends it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { published, startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient } from "../support/dashboard-client.js";

let h: Harness;
let client: DashboardClient;

beforeAll(async () => {
  h = await startHarness();
  let n = 0;
  const resident = async (postcode: string, age: string) => {
    const address = `+4477009${String(++n).padStart(5, "0")}`;
    for (const text of ["hi", "english", "yes", postcode, "housing", "skip", age, "no"])
      await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
  };
  for (let i = 0; i < 22; i++) await resident("ST6 1AA", i < 12 ? "3" : "5");
  for (let i = 0; i < 3; i++) await resident("ST3 4HS", "5");
  const { token } = await h.services.partners.create("Stoke-on-Trent City Council", []);
  client = new DashboardClient(h.app);
  await client.signIn(token);
});
afterAll(async () => {
  await h.close();
});

describe("honest empty states", () => {
  it("an area with no responses says so, once", async () => {
    const page = await client.page("/dashboard?area=ST9");
    expect(page.html).toContain("No responses yet in ST9 for these filters.");
    expect(page.html).not.toContain('data-testid="themes-table"');
  });

  it("an area with a few says the figures are withheld, once, instead of twelve rows of 'fewer than 10'", async () => {
    const page = await client.page("/dashboard?area=ST3");
    expect(page.html).toContain(
      "The figures for ST3 with these filters are withheld to protect residents: fewer than 10 answered, or showing them would let a small group be worked out.",
    );
    expect(page.html).not.toContain('data-testid="themes-table"');
    // No table of twelve withheld rows: only the trend's one block is a withheld cell.
    expect((page.html.match(/class="num suppressed"/g) ?? []).length).toBeLessThanOrEqual(1);
  });
});

describe("charts say what they show", () => {
  it("each has a visible title, the period, the base, the units and the source", async () => {
    const page = await client.page("/dashboard");
    const caption = /<figure data-testid="priorities-figure"><figcaption>([\s\S]*?)<\/figcaption>/
      .exec(page.html)![1]!
      .replace(/<[^>]+>/g, "")
      .replace(/&#39;/g, "'");
    expect(caption).toBe(
      `Residents per priority, 5 Jan 2026, of ${published(25)} residents who answered. Number of residents; each could choose up to three. Source: residents' answers to PlaceVoice.`,
    );
    expect(page.html).toMatch(
      /<figure data-testid="trend-figure"><figcaption><strong>Residents choosing Housing, per four weeks<\/strong>, 5 Jan 2026\./,
    );
  });
});

describe("the age filter", () => {
  it("narrows the figures to one age band and keeps the choice", async () => {
    const page = await client.page("/dashboard?area=ST6&age_band=age_25_34");
    expect(page.html).toContain('<option value="age_25_34" selected>25 to 34</option>');
    expect(page.html).toContain(`<strong data-testid="respondents">${published(12)}</strong>`);
  });
});
