// Reach end to end: an operator imports a population baseline with the CLI, residents answer
// through the real conversation host (some arriving through a champion's code), and the partner
// API, the dashboard page, the CSV and the partner feed give residents heard per 1,000, the age
// mix beside the population's, who was heard least, champions' residents and priorities
// re-weighted to each area's age profile. Every expected number is worked out here by hand from
// what the disclosure gate publishes (publishTally / protectCell), never copied from the output.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { protectCell } from "../../src/insights/disclosure.js";
import {
  HARNESS_RECORD_KEY,
  published,
  SMS_URL,
  startHarness,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  type Harness,
} from "../support/channel-harness.js";
import { inboundSms } from "../support/fake-twilio.js";
import { runCli, runCliInProcess } from "../support/cli.js";
import { DashboardClient } from "../support/dashboard-client.js";

const BANDS = ["under_18", "age_18_24", "age_25_34", "age_35_49", "age_50_64", "age_65_plus"] as const;
/** The baseline this test imports: ST6 and ST3 (ST4 has none). */
const POPULATION: Record<"ST6" | "ST3", Record<(typeof BANDS)[number], number>> = {
  ST6: { under_18: 9200, age_18_24: 4100, age_25_34: 6300, age_35_49: 8000, age_50_64: 8400, age_65_plus: 8000 },
  ST3: { under_18: 7600, age_18_24: 3400, age_25_34: 5200, age_35_49: 6900, age_50_64: 7300, age_65_plus: 7600 },
};
/** ST6 residents who answered, per age band (the flow's option numbers 1 to 6); 4 more skip the question. */
const ST6_BY_BAND = [10, 11, 12, 14, 16, 20];
const ST6_SKIPPED_AGE = 4;
/** In ST6, everyone picks transport; housing too, except 10 of the 20 aged 65 or over. */
const ST6_HOUSING_BY_BAND = [10, 11, 12, 14, 16, 10];
/** ST6 residents who arrived through the champion's code JOIN ST6BUS. */
const ST6_THROUGH_CHAMPION = 12;
const ST3_RESIDENTS = 12;
const ST4_RESIDENTS = 4;

let h: Harness;
let token: string;
let st6Token: string;
let operatorToken: string;
let dir: string;
const env = () => ({
  DATABASE_URL: `file:${h.services.databaseFile}`,
  APP_SECRET: "channel-tests-app-secret-0123456789abcdef",
});

/** One resident through the priorities flow; one who arrives with a champion's code texts JOIN <code> to the SMS webhook first, as Twilio posts it. */
async function resident(address: string, first: string, postcode: string, picks: string, ageBand: string) {
  if (first.startsWith("JOIN ")) {
    const response = await h.sms(
      inboundSms({
        url: SMS_URL,
        authToken: TWILIO_TOKEN,
        accountSid: TWILIO_SID,
        from: address,
        to: TWILIO_NUMBER,
        body: first,
      }),
    );
    expect(response.status).toBe(200);
  }
  const texts = [
    ...(first.startsWith("JOIN ") ? [] : [first]),
    "english",
    "yes",
    postcode,
    picks,
    "skip",
    ageBand,
    "no",
  ];
  for (const text of texts)
    await h.services.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
}

beforeAll(async () => {
  h = await startHarness();
  dir = mkdtempSync(path.join(tmpdir(), "placevoice-reach-"));
  let n = 0;
  const phone = () => `+4477009${String(++n).padStart(5, "0")}`;
  let champion = 0;
  for (const [b, count] of ST6_BY_BAND.entries())
    for (let i = 0; i < count; i++) {
      const first = champion++ < ST6_THROUGH_CHAMPION ? "JOIN ST6BUS" : "hi";
      await resident(
        phone(),
        first,
        "ST6 1AA",
        i < ST6_HOUSING_BY_BAND[b]! ? "housing, transport" : "transport",
        String(b + 1),
      );
    }
  for (let i = 0; i < ST6_SKIPPED_AGE; i++) await resident(phone(), "hi", "ST6 2BB", "housing, transport", "skip");
  for (let i = 0; i < ST3_RESIDENTS; i++) await resident(phone(), "hi", "ST3 4HS", "jobs", "skip");
  for (let i = 0; i < ST4_RESIDENTS; i++) await resident(phone(), "hi", "ST4 7QB", "digital", "skip");
  token = (await h.services.partners.create("Stoke-on-Trent City Council", [])).token;
  st6Token = (await h.services.partners.create("Burslem Partnership", ["ST6"])).token;
  operatorToken = (await h.services.partners.create("Operator", [], { role: "operator" })).token;
  const csv = [
    "area,age_band,population",
    ...Object.entries(POPULATION).flatMap(([area, bands]) => BANDS.map((b) => `${area},${b},${bands[b]}`)),
  ].join("\n");
  writeFileSync(path.join(dir, "baseline.csv"), `${csv}\n`);
  const imported = await runCli(
    ["population", "import", path.join(dir, "baseline.csv"), "--source", "Census 2021 TS007", "--year", "2021"],
    { env: env() },
  );
  expect(imported.stderr).toBe("");
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain("for 2 area(s) (ST3, ST6)");
}, 240_000);

afterAll(async () => {
  await h?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function api(query: string, bearer = token) {
  const response = await h.app.request(`/api/v1/insights/reach${query}`, {
    headers: { Authorization: `Bearer ${bearer}` },
  });
  const type = response.headers.get("Content-Type") ?? "";
  return { status: response.status, body: type.includes("json") ? await response.json() : await response.text() };
}

// By hand, from published counts.
const st6Total = ST6_BY_BAND.reduce((a, b) => a + b, 0) + ST6_SKIPPED_AGE; // 87
const st6Population = BANDS.reduce((sum, b) => sum + POPULATION.ST6[b], 0);
const st3Population = BANDS.reduce((sum, b) => sum + POPULATION.ST3[b], 0);
const perThousand = (count: number, population: number) => Math.round((count / population) * 10_000) / 10;
const bandHeard = ST6_BY_BAND.map((n) => published(n)!);
const bandSum = bandHeard.reduce((a, b) => a + b, 0);
const weights = BANDS.map((b) => POPULATION.ST6[b] / st6Population);

describe("reach against the population baseline", () => {
  it("gives residents heard per 1,000, from the published count of residents, with period and baseline source", async () => {
    const { status, body } = await api("?area=ST6");
    expect(status).toBe(200);
    expect(body.period).toMatchObject({ id: "all" });
    const st6 = body.areas[0];
    expect(st6.baseline).toEqual({ population: st6Population, source: "Census 2021 TS007", year: 2021 });
    expect(st6.heard).toEqual({ count: published(st6Total), suppressed: false });
    expect(st6.per1000).toBe(perThousand(published(st6Total)!, st6Population));
  });

  it("sets the age mix of those heard beside the population's, band by band", async () => {
    const st6 = (await api("?area=ST6")).body.areas[0];
    expect(st6.bands.map((b: { band: string }) => b.band)).toEqual([...BANDS]);
    for (const [i, band] of BANDS.entries()) {
      expect(st6.bands[i]).toMatchObject({
        band,
        population: POPULATION.ST6[band],
        heard: { count: bandHeard[i], suppressed: false },
        per1000: perThousand(bandHeard[i]!, POPULATION.ST6[band]),
        respondentShare: Math.round((bandHeard[i]! / bandSum) * 100),
        populationShare: Math.round(weights[i]! * 100),
      });
    }
  });

  it("re-weights priorities to the area's age profile, with Kish's effective sample size, beside the unweighted share", async () => {
    const { weighted } = (await api("?area=ST6")).body.areas[0];
    expect(weighted.shown).toBe(true);
    expect(weighted.base).toBe(bandSum);
    expect(weighted.effectiveSampleSize).toBe(
      Math.floor(1 / weights.reduce((sum, p, i) => sum + (p * p) / bandHeard[i]!, 0)),
    );
    const housing = weighted.rows.find((r: { theme: string }) => r.theme === "housing");
    const expectedWeighted = Math.round(
      weights.reduce((sum, p, i) => sum + (p * published(ST6_HOUSING_BY_BAND[i]!)!) / bandHeard[i]!, 0) * 100,
    );
    const housingTotal = ST6_HOUSING_BY_BAND.reduce((a, b) => a + b, 0) + ST6_SKIPPED_AGE;
    expect(housing).toMatchObject({
      share: Math.round((published(housingTotal)! / published(st6Total)!) * 100),
      weightedShare: expectedWeighted,
    });
    // Fewer of those aged 65 or over chose housing, and they are over-represented (22% of those
    // heard, 18% of residents): weighting gives them less say, and housing rises.
    expect(housing.weightedShare).toBeGreaterThan(housing.share);
    const transport = weighted.rows.find((r: { theme: string }) => r.theme === "transport");
    expect(transport.weightedShare).toBe(100);
    // A theme nobody chose is withheld in every band, so it has no weighted share.
    expect(weighted.rows.find((r: { theme: string }) => r.theme === "digital").weightedShare).toBeNull();
  });

  it("does not weight an area where an age group is withheld, and says why", async () => {
    const st3 = (await api("?area=ST3")).body.areas[0];
    expect(st3.heard.count).toBe(published(ST3_RESIDENTS));
    expect(st3.weighted).toMatchObject({ shown: false, effectiveSampleSize: null });
    expect(st3.weighted.reason).toMatch(/every age group/);
    expect(st3.bands.every((b: { respondentShare: number | null }) => b.respondentShare === null)).toBe(true);
  });

  it("keeps an area without a baseline: counts, no rate", async () => {
    const all = (await api("")).body;
    const st4 = all.areas.find((a: { area: string }) => a.area === "ST4");
    expect(st4).toMatchObject({ baseline: null, per1000: null, heard: { count: null, suppressed: true } });
  });

  it("ranks the areas and age groups heard least", async () => {
    const all = (await api("")).body;
    const st3Rate = perThousand(published(ST3_RESIDENTS)!, st3Population);
    const st6Rate = perThousand(published(st6Total)!, st6Population);
    expect(st3Rate).toBeLessThan(st6Rate);
    expect(all.areasHeardLeast.map((a: { area: string; per1000: number }) => [a.area, a.per1000])).toEqual([
      ["ST3", st3Rate],
      ["ST6", st6Rate],
    ]);
    // ST3's age groups are withheld (fewer than 10 gave an age), so they rank first; then ST6's lowest rate.
    const groups = all.groupsHeardLeast as { area: string; band: string; per1000: number | null }[];
    expect(groups.slice(0, 5).map((g) => g.area)).toEqual(["ST3", "ST3", "ST3", "ST3", "ST3"]);
    const st6Groups = (await api("?area=ST6")).body.groupsHeardLeast as { band: string; per1000: number }[];
    const rates = BANDS.map((b, i) => ({ band: b, per1000: perThousand(bandHeard[i]!, POPULATION.ST6[b]) })).sort(
      (a, b) => a.per1000 - b.per1000,
    );
    expect(st6Groups.map((g) => g.band)).toEqual(rates.slice(0, 5).map((r) => r.band));
  });

  it("counts champions' residents by area through the gate, k-safe against the rest of the area", async () => {
    const st6 = (await api("?area=ST6")).body.areas[0];
    const expected = protectCell(
      { count: ST6_THROUGH_CHAMPION, keySum: ST6_THROUGH_CHAMPION * HARNESS_RECORD_KEY },
      [st6Total],
      st6Total,
      10,
    );
    expect(st6.throughChampions).toEqual(expected);
    expect(expected.count).toBe(published(ST6_THROUGH_CHAMPION));
    const st3 = (await api("?area=ST3")).body.areas[0];
    expect(st3.throughChampions).toEqual({ count: null, suppressed: true });
  });

  it("keeps a partner to its areas and gives CSV with period and source on every row", async () => {
    expect((await api("?area=ST3", st6Token)).status).toBe(403);
    const own = (await api("", st6Token)).body;
    expect(own.areas.map((a: { area: string }) => a.area)).toEqual(["ST6"]);
    const csv = (await api("?area=ST6&format=csv")).body as string;
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe(
      "area,age_band,population,residents_heard,heard_per_1000,share_of_respondents_pct,share_of_population_pct,through_champions,period_from,period_to,baseline_source,baseline_year",
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^ST6,all,${st6Population},${published(st6Total)},${perThousand(published(st6Total)!, st6Population)},,,${published(ST6_THROUGH_CHAMPION)},\\d{4}-\\d{2}-\\d{2},\\d{4}-\\d{2}-\\d{2},Census 2021 TS007,2021$`,
      ),
    );
    expect(lines).toHaveLength(1 + 7);
    const weighted = (await api("?area=ST6&format=csv&table=weighted")).body as string;
    expect(weighted).toContain(`ST6,housing,Housing,`);
    const spec = await (await h.app.request("/api/v1/openapi.json")).json();
    expect(spec.paths["/api/v1/insights/reach"].get.parameters.map((p: { name: string }) => p.name)).toContain("table");
  });

  it("shows reach on the dashboard, with the weighting caveat and links to act on the gap", async () => {
    const client = new DashboardClient(h.app);
    await client.signIn(operatorToken);
    const { status, html } = await client.page("/dashboard/reach");
    expect(status).toBe(200);
    const text = html.replace(/<[^>]+>/g, "");
    expect(text).toContain(
      `Residents heard: ${published(st6Total)}, ${perThousand(published(st6Total)!, st6Population).toLocaleString("en-GB", { minimumFractionDigits: 1 })} per 1,000 residents`,
    );
    expect(text).toContain("No population baseline for ST4");
    expect(text).toContain("effective sample size");
    expect(text).toContain("The unweighted figures remain the main result.");
    expect(html).toContain('href="/dashboard/updates?draft_areas=ST3"');
    expect(text).toContain("placevoice broadcast --flow priorities --area ST3");
    expect(text).toContain('placevoice champion campaign --code CHAMPION_CODE --name "Reach ST3"');
    // The updates form is pre-filled with the area.
    const updates = await client.page("/dashboard/updates?draft_areas=ST3");
    expect(updates.html).toMatch(/id="areas" name="areas" required value="ST3"/);
    const dashboard = await client.page("/dashboard");
    expect(dashboard.html).toContain('href="/dashboard/reach"');
    expect((await new DashboardClient(h.app).page("/dashboard/reach")).status).not.toBe(200);
  });

  it("lists on a champion's page the areas that most need voices, heard least first, by name only", async () => {
    const champion = await h.services.champions.create("Longton Tenants", undefined);
    const response = await h.app.request(`/champions/${champion.code}?key=${champion.viewToken}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    const listed = [
      .../data-testid="areas-needing-voices">(.*?)<\/ol>/s.exec(html)![1]!.matchAll(/<li>(\w+)<\/li>/g),
    ].map((m) => m[1]);
    // Heard per 1,000 from published counts: ST3 below ST6; ST4 has no baseline, so no rate to rank.
    expect(perThousand(published(ST3_RESIDENTS)!, st3Population)).toBeLessThan(
      perThousand(published(st6Total)!, st6Population),
    );
    expect(listed).toEqual(["ST3", "ST6"]);
  });

  it("puts reach in the partner feed", async () => {
    const response = await h.app.request("/api/v1/feed", { headers: { Authorization: `Bearer ${st6Token}` } });
    const feed = await response.json();
    expect(feed.reach.areas[0]).toMatchObject({
      area: "ST6",
      heard: { count: published(st6Total) },
      per1000: perThousand(published(st6Total)!, st6Population),
    });
    expect(feed.reach.areas[0].weighted.effectiveSampleSize).toBeGreaterThan(0);
  });
});

describe("placevoice population import", () => {
  it("imports the illustrative example as shipped", async () => {
    const result = await runCliInProcess(
      ["population", "import", "examples/population-illustrative.csv", "--source", "Illustrative", "--year", "2021"],
      { env: env() },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    // Put this test's own baseline back for anything that runs after.
    await runCliInProcess(
      ["population", "import", path.join(dir, "baseline.csv"), "--source", "Census 2021 TS007", "--year", "2021"],
      { env: env() },
    );
  });

  it("replaces the baseline of the areas a file names, and keeps the others'", async () => {
    const file = path.join(dir, "st4.csv");
    writeFileSync(file, ["area,age_band,population", ...BANDS.map((b) => `st4,${b},1000`)].join("\n"));
    const result = await runCliInProcess(["population", "import", file, "--source", "Estimate", "--year", "2024"], {
      env: env(),
    });
    expect(result.code).toBe(0);
    const all = (await api("")).body.areas as { area: string; baseline: { population: number; year: number } }[];
    expect(all.find((a) => a.area === "ST4")!.baseline).toMatchObject({ population: 6000, year: 2024 });
    expect(all.find((a) => a.area === "ST6")!.baseline.population).toBe(st6Population);
  });

  it("refuses a file with problems, naming file and line, with exit code 2, and imports none of it", async () => {
    const file = path.join(dir, "bad.csv");
    writeFileSync(
      file,
      [
        "area,age_band,population",
        "ST6,under_18,100",
        "Stoke,age_18_24,100",
        "ST6,age_70_plus,100",
        "ST6,age_25_34,-5",
        "ST6,age_35_49,lots",
        "ST6,under_18,120",
      ].join("\n"),
    );
    const result = await runCliInProcess(["population", "import", file, "--source", "Census 2021", "--year", "2021"], {
      env: env(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:3: "Stoke" is not a postcode district (like ST6)`);
    expect(result.stderr).toContain(`${file}:4: unknown age band "age_70_plus"`);
    expect(result.stderr).toContain(`${file}:5: population -5 is negative`);
    expect(result.stderr).toContain(`${file}:6: population "lots" is not a whole number`);
    expect(result.stderr).toContain(`${file}:7: ST6 under_18 is given twice (first on line 2)`);
    expect(result.stderr).toContain(`${file}:2: ST6 has no row for`);
    expect(result.stderr).toContain("Nothing imported");
    // ST6's baseline is the one imported before.
    expect((await api("?area=ST6")).body.areas[0].baseline.population).toBe(st6Population);
  });

  it("asks for the source and year, and for the right header", async () => {
    const file = path.join(dir, "baseline.csv");
    const noSource = await runCliInProcess(["population", "import", file, "--year", "2021"], { env: env() });
    expect(noSource).toMatchObject({ code: 2 });
    expect(noSource.stderr).toContain("--source");
    const badYear = await runCliInProcess(["population", "import", file, "--source", "Census", "--year", "21"], {
      env: env(),
    });
    expect(badYear.code).toBe(2);
    expect(badYear.stderr).toContain("--year 2021");
    const header = path.join(dir, "header.csv");
    writeFileSync(header, "district,band,people\nST6,under_18,1\n");
    const wrong = await runCliInProcess(["population", "import", header, "--source", "X", "--year", "2021"], {
      env: env(),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim().split("\n")[0]).toBe(
      `${header}:1: the first line must be the header area,age_band,population (found "district,band,people")`,
    );
  });
});
