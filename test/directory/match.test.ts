// Matching needs to services, opening hours, and urgent-need phrases.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatHours, localMoment, minutesUntilOpen } from "../../src/directory/hours.js";
import { DirectoryIndex } from "../../src/directory/match.js";
import type { DirectorySettings } from "../../src/directory/settings.js";
import type { DirectoryService, WeeklyHours } from "../../src/directory/types.js";
import { detectUrgentNeeds, parseUrgentLexicon } from "../../src/directory/urgent.js";
import { shippedFlowsDir } from "../../src/runtime-node/paths.js";

const weekdays9to5: WeeklyHours = { days: ["MO", "TU", "WE", "TH", "FR"], opensAt: "09:00", closesAt: "17:00" };
const allDay: WeeklyHours = { days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"], opensAt: "00:00", closesAt: "24:00" };

function service(id: string, overrides: Partial<DirectoryService> = {}): DirectoryService {
  return {
    id,
    name: `Service ${id}`,
    summary: `Help from ${id}.`,
    phones: ["01632 960000"],
    terms: [],
    themes: [],
    coverage: [],
    national: false,
    locations: [],
    hours: [weekdays9to5],
    crisis: [],
    ...overrides,
  };
}

const settings: DirectorySettings = {
  area: "Stoke-on-Trent",
  districts: ["ST1", "ST2", "ST3", "ST4", "ST6"],
  centroids: { ST6: [53.05, -2.2], ST3: [52.98, -2.12] },
  fallback: [
    {
      when: "always",
      text: { en: "Council contact centre: 01782 234234", cy: "Canolfan gyswllt y cyngor: 01782 234234" },
    },
    {
      when: "health_wellbeing",
      text: { en: "For health advice any time, call NHS 111.", cy: "Am gyngor iechyd unrhyw bryd, ffoniwch GIG 111." },
    },
  ],
  crisis: { self_harm: ["samaritans"], food_tonight: ["foodbank", "council"] },
};

// Tuesday 24 November 2026, 10:30 in London (GMT).
const tuesdayMorning = new Date("2026-11-24T10:30:00Z");
const query = {
  themes: [] as string[],
  area: "ST6" as string | null,
  exclude: [] as string[],
  limit: 3,
  language: "en",
  now: tuesdayMorning,
};

describe("opening hours", () => {
  it("renders weekly hours plainly, grouping days", () => {
    expect(formatHours([weekdays9to5], "en")).toBe("Mon–Fri 9am–5pm");
    expect(formatHours([weekdays9to5, { days: ["SA"], opensAt: "10:00", closesAt: "13:30" }], "en")).toBe(
      "Mon–Fri 9am–5pm, Sat 10am–1:30pm",
    );
    expect(formatHours([{ days: ["MO", "WE"], opensAt: "18:00", closesAt: "20:00" }], "en")).toBe("Mon, Wed 6pm–8pm");
    expect(formatHours([allDay], "en")).toBe("Open 24 hours, every day");
    expect(formatHours([weekdays9to5], "cy")).toBe("Llun–Gwe 9yb–5yh");
    expect(formatHours([{ ...weekdays9to5, validTo: "2020-01-01" }], "en", "2026-11-24")).toBeUndefined();
  });

  it("knows whether a service is open now or how soon it opens", () => {
    const at = localMoment(tuesdayMorning, "Europe/London");
    expect(at).toEqual({ weekday: 1, minute: 630, date: "2026-11-24" });
    expect(minutesUntilOpen([weekdays9to5], at)).toBe(0);
    expect(minutesUntilOpen([{ days: ["TU"], opensAt: "13:00", closesAt: "15:00" }], at)).toBe(150);
    expect(minutesUntilOpen([{ days: ["SA"], opensAt: "10:00", closesAt: "12:00" }], at)).toBe(4 * 24 * 60 - 30);
    expect(minutesUntilOpen([], at)).toBeUndefined();
    // Summer time: 09:30 BST is 08:30 UTC.
    expect(localMoment(new Date("2026-07-01T08:30:00Z"), "Europe/London").minute).toBe(570);
  });
});

describe("matching", () => {
  const index = new DirectoryIndex(
    [
      service("housing-st6", {
        name: "Burslem Housing Advice",
        themes: ["housing"],
        coverage: ["ST6"],
        locations: [{ latitude: 53.045, longitude: -2.198 }],
      }),
      service("housing-st3", { name: "Longton Housing Advice", themes: ["housing"], coverage: ["ST3"] }),
      service("housing-city", {
        name: "City Housing Solutions",
        themes: ["housing"],
        locations: [{ latitude: 52.98, longitude: -2.12 }],
      }),
      service("housing-closed", {
        name: "Housing Evening Clinic",
        themes: ["housing"],
        hours: [{ days: ["TH"], opensAt: "18:00", closesAt: "20:00" }],
      }),
      service("shelter", { name: "Shelter Helpline", themes: ["housing"], national: true, hours: [allDay] }),
      service("debt", {
        name: "Debt Advice",
        summary: "Help with bills, debts and energy costs.",
        themes: ["cost_of_living"],
      }),
      service("samaritans", { name: "Samaritans", themes: ["health_wellbeing"], national: true, hours: [allDay] }),
      service("foodbank", { name: "North Stoke Foodbank", themes: ["cost_of_living"] }),
      service("council", { name: "Council Contact Centre", themes: ["care_support"] }),
    ],
    settings,
  );

  it("finds services by theme, covering the resident's district, nearest and open first", () => {
    const result = index.match({ ...query, themes: ["housing"] });
    // A local service open now, then the next nearest, then a helpline open now before a local
    // clinic that is closed until Thursday evening.
    expect(result.services.map((s) => s.id)).toEqual(["housing-st6", "housing-city", "shelter"]);
    expect(result.services[0]).toEqual({
      id: "housing-st6",
      name: "Burslem Housing Advice",
      summary: "Help from housing-st6.",
      phone: "01632 960000",
      hours: "Mon–Fri 9am–5pm",
      openNow: true,
    });
    expect(result.more).toBe(true);
    // ST3's own service is not offered in ST6.
    expect(result.services.map((s) => s.id)).not.toContain("housing-st3");
  });

  it("never offers the same service twice: 'more' continues where the first offer stopped", () => {
    const first = index.match({ ...query, themes: ["housing"] });
    const second = index.match({ ...query, themes: ["housing"], exclude: first.services.map((s) => s.id) });
    expect(second.services.map((s) => s.id)).toEqual(["housing-closed"]);
    expect(second.services[0]?.hours).toBe("Thu 6pm–8pm");
    expect(second.more).toBe(false);
  });

  it("ranks a local service above a national one when both are open", () => {
    const both = new DirectoryIndex(
      [service("national", { themes: ["housing"], national: true }), service("local", { themes: ["housing"] })],
      settings,
    );
    expect(both.match({ ...query, themes: ["housing"] }).services.map((s) => s.id)).toEqual(["local", "national"]);
  });

  it("matches the resident's own words when no theme was chosen", () => {
    const result = index.match({ ...query, text: "I can't pay my energy bills" });
    expect(result.services.map((s) => s.id)).toEqual(["debt"]);
  });

  it("says nothing matched, and gives the configured fallback contacts", () => {
    const result = index.match({ ...query, themes: ["digital"] });
    expect(result.services).toEqual([]);
    expect(result.fallback).toEqual(["Council contact centre: 01782 234234"]);
    expect(index.match({ ...query, themes: ["health_wellbeing", "digital"], language: "cy" }).fallback).toEqual([
      "Canolfan gyswllt y cyngor: 01782 234234",
      "Am gyngor iechyd unrhyw bryd, ffoniwch GIG 111.",
    ]);
  });

  it("gives crisis services for urgent needs in the configured order", () => {
    expect(index.crisis(["food_tonight", "self_harm"], "en", tuesdayMorning).map((s) => s.id)).toEqual([
      "foodbank",
      "council",
      "samaritans",
    ]);
  });
});

describe("urgent needs lexicon (flows/lexicons/urgent-needs.yaml)", () => {
  const lexicon = parseUrgentLexicon(readFileSync(path.join(shippedFlowsDir, "lexicons", "urgent-needs.yaml"), "utf8"));
  const kinds = (text: string) => detectUrgentNeeds(lexicon, text).map((k) => k.id);

  it.each([
    ["Honestly some days I want to die", ["self_harm"]],
    ["I've been self-harming again... self harm is the only thing", ["self_harm"]],
    ["Thinking of ending my life", ["self_harm"]],
    ["I might end my life", ["self_harm"]],
    ["my partner hits me and I'm scared to go home", ["abuse"]],
    ["We have NO FOOD TONIGHT for the kids", ["food_tonight"]],
    ["can't afford food this week", ["food_tonight"]],
    ["got kicked out tonight, nowhere to sleep", ["nowhere_to_sleep"]],
    ["Rwy'n cysgu ar y stryd", ["nowhere_to_sleep"]],
    ["dim bwyd heno i'r plant", ["food_tonight"]],
    ["More buses in the evening please", []],
    ["The food bank on the high street is great", []],
    ["kill myself laughing at the council meetings", ["self_harm"]], // we err on the side of showing help
  ])("%j -> %j", (text, expected) => {
    expect(kinds(text)).toEqual(expected);
  });

  it("has an intro in English and Welsh for every kind", () => {
    expect(lexicon.kinds.map((k) => k.id)).toEqual(["self_harm", "abuse", "food_tonight", "nowhere_to_sleep"]);
    for (const kind of lexicon.kinds) {
      expect(kind.intro.en).toBeTruthy();
      expect(kind.intro.cy).toBeTruthy();
    }
  });
});
