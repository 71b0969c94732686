import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  applyCrisisConfig,
  importDirectory,
  loadDirectoryConfig,
  parseDirectoryConfig,
  toDirectorySettings,
} from "../../src/directory/import/index.js";

// Schedules are judged against this day, not the machine's.
const NOW = new Date("2025-06-01T12:00:00Z");

const STOKE = join(import.meta.dirname, "../../directories/stoke-on-trent");
const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe("placevoice.yaml, a directory's own configuration", () => {
  it("reads the Stoke-on-Trent configuration", async () => {
    const loaded = await loadDirectoryConfig(STOKE);
    expect(loaded.problems).toEqual([]);
    const { config } = loaded;
    expect(config.area).toBe("Stoke-on-Trent");
    expect(config.districts).toEqual(["ST1", "ST2", "ST3", "ST4", "ST6", "ST7", "ST8"]);
    expect(config.centroids["ST6"]).toEqual([53.055, -2.2]);
    expect(config.fallback.map((f) => [f.id, f.when, f.phone])).toEqual([
      ["council-contact-centre", ["always"], "01782 234234"],
      ["nhs-111", ["health_wellbeing"], "111"], // written `when: health`
      ["citizens-advice-adviceline", ["cost_of_living", "housing"], "0800 144 8848"],
    ]);
    for (const f of config.fallback) expect(Object.keys(f.text)).toEqual(["en", "cy"]);
    expect(config.fallback[0]?.text.en).toBe(
      "For council services, call Stoke-on-Trent City Council on 01782 234234 or visit www.stoke.gov.uk.",
    );
    expect(config.crisis).toEqual({
      self_harm: ["samaritans", "nhs-111"],
      abuse: ["national-domestic-abuse-helpline", "potteries-domestic-abuse-service"],
      food_tonight: ["hanley-community-kitchen", "potteries-food-bank"],
      nowhere_to_sleep: ["homelessness-out-of-hours", "hanley-night-shelter", "shelter-helpline", "housing-solutions"],
    });
  });

  it("routes crisis kinds to services that exist in the sample", async () => {
    const [loaded, imported] = await Promise.all([loadDirectoryConfig(STOKE), importDirectory(STOKE, { now: NOW })]);
    const { services, problems } = applyCrisisConfig(imported.services, loaded);
    expect(problems).toEqual([]);
    const crisisOf = (id: string) => services.find((s) => s.id === id)?.crisis;
    expect(crisisOf("samaritans")).toEqual(["self_harm"]);
    expect(crisisOf("hanley-night-shelter")).toEqual(["nowhere_to_sleep"]);
    expect(crisisOf("potteries-food-bank")).toEqual(["food_tonight"]);
    expect(crisisOf("bins-and-recycling")).toEqual([]);
    expect(services.filter((s) => s.crisis.length > 0)).toHaveLength(10);
  });

  it("reports crisis ids that are not in the directory, at their line", () => {
    const loaded = parseDirectoryConfig(
      "area: Testville\ncrisis:\n  abuse:\n    - helpline\n    - gone-service\n",
      "placevoice.yaml",
      "x",
    );
    const { problems } = applyCrisisConfig([], loaded);
    expect(problems).toEqual([
      { file: "placevoice.yaml", line: 4, message: 'crisis.abuse: "helpline" is not a service in the directory' },
      { file: "placevoice.yaml", line: 5, message: 'crisis.abuse: "gone-service" is not a service in the directory' },
    ]);
  });

  it("reads services' names and summaries in other languages, and reports ids it does not know and summaries too long for one line", () => {
    const source = `area: Testville\ntranslations:\n  helpline:\n    cy:\n      name: Llinell gymorth\n      summary: Cymorth am ddim.\n  gone-service:\n    cy:\n      summary: Dim.\n`;
    const loaded = parseDirectoryConfig(source, "placevoice.yaml", "x");
    expect(loaded.problems).toEqual([]);
    expect(loaded.config.translations).toEqual({
      helpline: { cy: { name: "Llinell gymorth", summary: "Cymorth am ddim." } },
      "gone-service": { cy: { summary: "Dim." } },
    });
    const helpline = { id: "helpline" } as Parameters<typeof applyCrisisConfig>[0][number];
    expect(applyCrisisConfig([helpline], loaded).problems).toEqual([
      { file: "placevoice.yaml", line: 7, message: 'translations: "gone-service" is not a service in the directory' },
    ]);
    const tooLong = parseDirectoryConfig(
      `area: T\ntranslations:\n  helpline:\n    cy:\n      summary: ${"a".repeat(141)}\n`,
      "placevoice.yaml",
      "x",
    );
    expect(tooLong.problems.map((p) => p.message)).toEqual([
      "translations.helpline.cy.summary: a summary is one line of at most 140 characters",
    ]);
  });

  it("gives every crisis service in the sample a Welsh name and summary", async () => {
    const { config } = await loadDirectoryConfig(STOKE);
    const crisisIds = new Set(Object.values(config.crisis).flat());
    for (const id of crisisIds) expect(config.translations[id]?.cy?.summary, id).toBeTruthy();
  });

  it("converts to the matcher's settings, one fallback entry per `when`", async () => {
    const settings = toDirectorySettings((await loadDirectoryConfig(STOKE)).config);
    expect(settings.fallback.map((f) => f.when)).toEqual(["always", "health_wellbeing", "cost_of_living", "housing"]);
    expect(settings.crisis["abuse"]).toEqual(["national-domestic-abuse-helpline", "potteries-domestic-abuse-service"]);
    expect(settings.districts).toContain("ST4");
  });

  it("names districts as people know them, and says which name is not one", async () => {
    const settings = toDirectorySettings((await loadDirectoryConfig(STOKE)).config);
    expect(settings.areaNames?.["ST6"]).toBe("Burslem");
    expect(settings.areaNames?.["ST3"]).toBe("Longton");
    const bad = parseDirectoryConfig(
      ["area: Testville", "areas:", "  st6: Burslem", "  Burslem: ST6", `  ST3: ${"x".repeat(41)}`].join("\n"),
      "placevoice.yaml",
      "Testville",
    );
    expect(bad.problems.map((p) => [p.line, p.message])).toEqual([
      [5, "areas.ST3: an area name is at most 40 characters"],
      [4, 'areas.Burslem: districts are postcode districts ("ST6") or areas ("ST")'],
    ]);
    const good = parseDirectoryConfig("area: Testville\nareas:\n  st6: Burslem\n", "placevoice.yaml", "Testville");
    expect(good.config.areas).toEqual({ ST6: "Burslem" });
  });

  it("falls back to defaults, with a problem, when there is no file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "placevoice-config-"));
    temps.push(dir);
    const loaded = await loadDirectoryConfig(dir);
    expect(loaded.config).toEqual({
      area: dir.split("/").pop(),
      districts: [],
      areas: {},
      centroids: {},
      fallback: [],
      crisis: {},
      translations: {},
      volunteering: {},
    });
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatchObject({ file: "placevoice.yaml", line: 1 });
    expect(loaded.problems[0]?.message).toMatch(
      /^no placevoice.yaml in .*: no fallback contacts and no crisis routing/,
    );
  });

  it("names each mistake with its line, and uses the defaults", async () => {
    const dir = mkdtempSync(join(tmpdir(), "placevoice-config-"));
    temps.push(dir);
    writeFileSync(
      join(dir, "placevoice.yaml"),
      [
        "area: Testville", // 1
        "districts: [ST6, not a district]", // 2
        "fallback:", // 3
        "  - name: Council", // 4
        "    when: sometimes", // 5
        "    url: ftp://example.org", // 6
        "    text: { cy: Helo }", // 7
        "crisis:", // 8
        "  self-harm: [samaritans]", // 9
        "colour: red", // 10
      ].join("\n"),
    );
    const loaded = await loadDirectoryConfig(dir);
    expect(loaded.config.fallback).toEqual([]);
    expect(loaded.config.crisis).toEqual({});
    expect(loaded.problems.map((p) => `${p.line}: ${p.message}`)).toEqual([
      '2: districts.1: districts are postcode districts ("ST6") or areas ("ST")',
      '5: fallback.0.when.0: when must be "always", a theme (housing, cost_of_living, jobs_skills, health_wellbeing, safety, transport, environment, young_people, community_spaces, high_street, digital, care_support) or one of health, money, jobs, skills, care, youth, spaces',
      "6: fallback.0.url: url must be an http(s) address",
      '7: fallback.0.text: text needs an "en" entry',
      '9: crisis: unknown field "self-harm"',
      '10: unknown field "colour"',
    ]);
    const broken = parseDirectoryConfig("area: [Testville\n", "placevoice.yaml", "fallback-area");
    expect(broken.config.area).toBe("fallback-area");
    expect(broken.problems[0]?.message).toMatch(/^YAML: /);
  });
});
