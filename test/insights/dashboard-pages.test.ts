// What the dashboard says when there is nothing, or too little, to show; its age filter; areas by
// the names people know them by, the district picker and the comparison of areas; the themes
// residents raised in their own words; and quotes that follow every filter, each once.
// Through app.request() as a browser sends it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { published, startHarness, type Harness } from "../support/channel-harness.js";
import { DashboardClient } from "../support/dashboard-client.js";

let h: Harness;
let client: DashboardClient;
let st6Client: DashboardClient;

/** The text of a page's element, tags stripped and entities read. */
const textOf = (html: string, pattern: RegExp) =>
  (pattern.exec(html)?.[1] ?? "")
    .replace(/<[^>]+>/g, "")
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ")
    .trim();
/** The rows of a table (by data-testid) as arrays of cell texts. */
const rowsOf = (html: string, testId: string) => {
  const table = new RegExp(`<table[^>]*data-testid="${testId}"[^>]*>([\\s\\S]*?)</table>`).exec(html)?.[1] ?? "";
  return [...table.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => textOf(c[0], /([\s\S]*)/)),
  );
};

beforeAll(async () => {
  h = await startHarness();
  let n = 0;
  const resident = async (postcode: string, age: string, words = "skip") => {
    const address = `+4477009${String(++n).padStart(5, "0")}`;
    for (const text of ["hi", "english", "yes", postcode, "housing", words, age, "no"])
      await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
  };
  // ST6: 12 aged 25 to 34 write the same words about buses (in three spellings); 10 aged 50 to
  // 64 write about council houses. ST3: 3 residents.
  const buses = ["The buses stop too early.", "the buses stop too early", "The buses stop too early!!"];
  for (let i = 0; i < 12; i++) await resident("ST6 1AA", "3", buses[i % 3]);
  for (let i = 0; i < 10; i++) await resident("ST6 1AA", "5", "We need more council houses for families");
  for (let i = 0; i < 3; i++) await resident("ST3 4HS", "5");
  const { token } = await h.services.partners.create("Stoke-on-Trent City Council", []);
  client = new DashboardClient(h.app);
  await client.signIn(token);
  st6Client = new DashboardClient(h.app);
  await st6Client.signIn((await h.services.partners.create("Burslem Partnership", ["ST6", "ST2"])).token);
}, 120_000);
afterAll(async () => {
  await h.close();
});

describe("honest empty states", () => {
  it("an area with no responses says so, once", async () => {
    const page = await client.page("/dashboard?area=ST9");
    expect(page.html).toContain("No responses yet in ST9 Werrington for these filters.");
    expect(page.html).not.toContain('data-testid="themes-table"');
  });

  it("an area with a few says the figures are withheld, once, instead of twelve rows of 'fewer than 10'", async () => {
    const page = await client.page("/dashboard?area=ST3");
    expect(page.html).toContain(
      "The figures for ST3 Longton with these filters are withheld to protect residents: fewer than 10 answered, or showing them would let a small group be worked out.",
    );
    expect(page.html).not.toContain('data-testid="themes-table"');
    // No table of twelve withheld rows: only the trend's one block is a withheld cell.
    expect((page.html.match(/class="num suppressed"/g) ?? []).length).toBeLessThanOrEqual(1);
  });
});

describe("charts say what they show", () => {
  it("each has a visible title, the period, the base, the units and the source", async () => {
    const page = await client.page("/dashboard");
    const caption = textOf(page.html, /<figure data-testid="priorities-figure"><figcaption>([\s\S]*?)<\/figcaption>/);
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

describe("areas people know", () => {
  it("are named from the directory's placevoice.yaml wherever the dashboard shows one", async () => {
    const page = await st6Client.page("/dashboard?area=ST6");
    expect(page.html).toContain('<h2 id="priorities-heading">Priorities in ST6 Burslem</h2>');
    expect(textOf(page.html, /<figure data-testid="priorities-figure"><figcaption>([\s\S]*?)<\/figcaption>/)).toMatch(
      /^Residents per priority in ST6 Burslem, 5 Jan 2026, of \d+ residents who answered\./,
    );
    expect(textOf(page.html, /<blockquote data-testid="quote">[\s\S]*?<footer[^>]*>([\s\S]*?)<\/footer>/)).toBe(
      "ST6 Burslem, Jan 2026",
    );
  });

  it("the CSV carries the area's code and its name", async () => {
    const csv = (await client.page("/dashboard/priorities.csv?area=ST6")).html.split("\r\n");
    expect(csv[0]).toBe(
      "area,area_name,period_from,period_to,question,respondents,theme,label,residents,share_percent,generated_at,note",
    );
    expect(csv[1]).toMatch(/^ST6,Burslem,2026-01-05,2026-01-05,/);
    // A partner's two areas: both names, in the order of the codes.
    const own = (await st6Client.page("/dashboard/priorities.csv")).html.split("\r\n");
    expect(own[1]).toMatch(/^ST6 ST2,Burslem; Bucknall,/);
  });

  it("a partner with every area picks from the districts that have answers, by name; typed input is still checked", async () => {
    const page = await client.page("/dashboard");
    const options = [...page.html.matchAll(/<select id="area" name="area">([\s\S]*?)<\/select>/g)][0]![1]!;
    expect([...options.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => [m[1], m[2]])).toEqual([
      ["", "All areas"],
      ["ST3", "ST3 Longton"],
      ["ST6", "ST6 Burslem"],
    ]);
    // An area asked for in the address that has no answers is shown as chosen, not silently dropped.
    expect((await client.page("/dashboard?area=ST9")).html).toContain(
      '<option value="ST9" selected>ST9 Werrington</option>',
    );
    const bad = await client.page("/dashboard?area=Burslem%3Cb%3E");
    expect(bad.status).toBe(200);
    expect(bad.html).toContain('<p class="error" role="alert">Area must be a postcode district such as ST6.</p>');
    expect(bad.html).not.toContain("<b>");
  });

  it("a partner with some areas picks from its own, by name, and is refused another", async () => {
    const page = await st6Client.page("/dashboard");
    expect(page.html).toContain('<option value="ST2" >ST2 Bucknall</option>');
    expect(page.html).toContain('<option value="ST6" >ST6 Burslem</option>');
    expect((await st6Client.page("/dashboard?area=ST3")).status).toBe(403);
  });
});

describe("comparing areas for one theme", () => {
  it("shows each area's residents, the number choosing the theme and its share, each as the area's own page shows it", async () => {
    const page = await client.page("/dashboard/compare?theme=housing");
    expect(page.status).toBe(200);
    expect(page.html).toContain("<h2>Compare areas: Housing</h2>");
    const rows = rowsOf(page.html, "compare-table");
    expect(rows[0]).toEqual(["Area", "Residents who answered", "Chose housing", "Share"]);
    // ST6's figures are withheld here: with every area, ST6 and the rest (3) would give ST3 away.
    const st6 = await client.page("/dashboard?area=ST6");
    expect(st6.html).toContain("The figures for ST6 Burslem with these filters are withheld");
    expect(rows.slice(1)).toEqual([
      ["ST3 Longton", "fewer than 10", "fewer than 10", "–"],
      ["ST6 Burslem", "fewer than 10", "fewer than 10", "–"],
      ["All areas", String(published(25)), String(published(25)), "100%"],
    ]);
    expect(page.html).toContain("There is no map:");
  });

  it("for a partner whose areas are enough on their own, gives the numbers, the same as each area's page", async () => {
    const page = await st6Client.page("/dashboard/compare?theme=housing&age_band=age_25_34");
    const rows = rowsOf(page.html, "compare-table").slice(1);
    expect(rows).toEqual([
      ["ST6 Burslem", String(published(12)), String(published(12)), "100%"],
      ["ST2 Bucknall", "none yet", "–", "–"],
      ["All my areas", String(published(12)), String(published(12)), "100%"],
    ]);
    const own = await st6Client.page("/dashboard?area=ST6&age_band=age_25_34&theme=housing");
    expect(own.html).toContain(`<strong data-testid="respondents">${published(12)}</strong>`);
    // The age filter is kept, and each area links to its own page with the same filters.
    expect(page.html).toContain('<option value="age_25_34" selected>25 to 34</option>');
    expect(page.html).toContain('href="/dashboard?age_band=age_25_34&amp;theme=housing&amp;area=ST6"');
  });
});

describe("all the insight on one page", () => {
  it("shows the themes residents raised in their own words beside the priorities they chose, with its own caption", async () => {
    const page = await st6Client.page("/dashboard");
    expect(textOf(page.html, /<table data-testid="written-themes-table"><caption>([\s\S]*?)<\/caption>/)).toBe(
      `Raised in their own words Residents whose written answer touched on each theme, found automatically in what they wrote, of the same ${published(22)} residents. Not everyone wrote something, and one answer can touch several themes.`,
    );
    const rows = rowsOf(page.html, "written-themes-table").slice(1);
    expect(rows[0]).toEqual(["Buses and transport", String(published(12)), expect.stringMatching(/^\d+%$/)]);
    expect(rows[1]).toEqual(["Housing", String(published(10)), expect.stringMatching(/^\d+%$/)]);
    expect(rows.slice(2).every((r) => r[1] === "fewer than 10")).toBe(true);
    const csv = (await st6Client.page("/dashboard/themes.csv")).html;
    expect(csv).toContain("Themes found in what residents wrote in their own words");
    expect(csv).toContain(`,transport,Buses and transport,${published(12)},`);
  });

  it("quotes follow every filter and are shown once however many wrote them", async () => {
    const quotes = async (query: string) =>
      [...(await st6Client.page(`/dashboard?${query}`)).html.matchAll(/<blockquote data-testid="quote">([^<]*)</g)].map(
        (m) => m[1],
      );
    // Twelve residents, three spellings of the same words: one quote.
    expect(await quotes("theme=transport")).toEqual(["The buses stop too early!!"]);
    expect(await quotes("theme=transport&age_band=age_25_34")).toHaveLength(1);
    expect(await quotes("theme=transport&age_band=age_50_64")).toEqual([]);
    expect(await quotes("theme=housing&age_band=age_50_64")).toEqual(["We need more council houses for families"]);
    expect(await quotes("theme=transport&channel=telegram")).toEqual([]);
    expect(await quotes("theme=transport&period=2025-12-01")).toEqual([]);
    expect(await quotes("theme=transport&period=2026-01-05")).toHaveLength(1);
    expect(await quotes("theme=transport&area=ST2")).toEqual([]);
  });
});
