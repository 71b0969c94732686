import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DirectoryImportError, importDirectory } from "../../src/directory/import/index.js";
import { THEMES } from "../../src/directory/themes.js";
import type { DirectoryService, ImportResult } from "../../src/directory/types.js";

const FIXTURES = "/work/shared/fixtures/hsds3";
const STOKE = join(import.meta.dirname, "../../directories/stoke-on-trent");
const NOW = new Date("2025-06-01T12:00:00Z");
const COUNSELLING_ID = "ac148810-d857-441c-9679-408f346de14b";

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "placevoice-import-"));
  temps.push(dir);
  return dir;
}

function byId(result: ImportResult, id: string): DirectoryService {
  const service = result.services.find((s) => s.id === id);
  if (!service) throw new Error(`no service ${id}`);
  return service;
}

function listed(result: ImportResult): string[] {
  return result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
}

/** The text of a 1-based line of a file, to show a reported line really is the thing reported. */
function lineOf(path: string, line: number): string {
  return readFileSync(path, "utf8").split("\n")[line - 1] ?? "";
}

describe("HSDS 3 tabular data package, as published by Open Referral", () => {
  it("imports the one service and reports, by file and line, everything it could not use", async () => {
    const result = await importDirectory(join(FIXTURES, "csv"), { now: NOW });
    expect(result.format).toBe("hsds3-tabular");
    expect(result.services).toEqual([
      {
        id: COUNSELLING_ID,
        name: "Community Counselling",
        summary: "Counselling Services provided by trained professionals.",
        organisation: "Example Organization Inc.",
        url: "http://example.com/counselling",
        email: "email@example.com",
        phones: ["+44 1234 234567"], // published as "+44 1234 234567" with the quotes inside the field
        terms: [],
        themes: ["health_wellbeing"],
        coverage: ["AB1", "AB2", "AB3"],
        national: false,
        locations: [{ name: "MyCity Civic Center" }],
        hours: [],
        crisis: [],
      },
    ]);
    expect(listed(result)).toEqual([
      'addresses.csv:2: postal_code "ABC 1234" is not a UK postcode; not used',
      'attributes.csv:2: placeholder text in link_entity ("link_entity"); ignored',
      'attributes.csv:2: link_id "f28dd44b-0c4d-479f-8e90-4c52219a8b3c" is not a service in services.csv; row skipped',
      'datapackage.json:1: is not valid JSON (it holds only "../../datapackage.json", perhaps a link that was not followed); the standard file names are used',
      "locations.csv:2: latitude 100 is not between -90 and 90; coordinates not used",
      "schedules.csv:2: schedule ended on 2005-01-01 (valid_to is in the past); not used",
      'service_areas.csv:2: placeholder text in extent ("extent"); ignored',
      'taxonomies.csv:2: placeholder text in name ("name"); ignored',
      'taxonomy_terms.csv:2: placeholder text in name ("name"), code ("code"), taxonomy ("taxonomy"); ignored',
      "taxonomy_terms.csv:2: taxonomy term has no usable name; not used",
    ]);
  });

  it("keeps the schedule while it is still valid", async () => {
    const result = await importDirectory(join(FIXTURES, "csv"), { now: new Date("2004-06-01T00:00:00Z") });
    expect(result.services[0]?.hours).toEqual([
      {
        days: ["TH", "FR"],
        opensAt: "10:00",
        closesAt: "18:00",
        validFrom: "2005-01-01",
        validTo: "2005-01-01",
        note: "The service is available from 10 am to 6pm weekdays. The service is not available on public holidays.",
      },
    ]);
    expect(listed(result).some((p) => p.startsWith("schedules.csv"))).toBe(false);
  });

  it("finds the package from its datapackage.json path too", async () => {
    const result = await importDirectory(join(FIXTURES, "csv", "datapackage.json"), { now: NOW });
    expect(result.format).toBe("hsds3-tabular");
    expect(result.services.map((s) => s.name)).toEqual(["Community Counselling"]);
  });
});

describe("HSDS /services JSON", () => {
  it("imports a single service with everything nested", async () => {
    const path = join(FIXTURES, "service_full.json");
    const result = await importDirectory(path, { now: NOW });
    expect(result.format).toBe("hsds-json");
    expect(result.services).toHaveLength(1);
    const service = result.services[0]!;
    expect(service).toMatchObject({
      id: COUNSELLING_ID,
      name: "Community Counselling",
      organisation: "Example Organization Inc.",
      phones: ["+44 1234 234567"],
      coverage: ["AB1", "AB2", "AB3"],
      locations: [{ name: "MyCity Civic Center" }],
      hours: [],
      themes: ["health_wellbeing"],
      terms: [],
    });
    expect(listed(result)).toEqual([
      "service_full.json:42: schedule ended on 2005-01-01 (valid_to is in the past); not used",
      'service_full.json:66: placeholder text in extent ("extent"); ignored',
      "service_full.json:146: latitude 100 is not between -90 and 90; coordinates not used",
      'service_full.json:167: postal_code "ABC 1234" is not a UK postcode; not used',
      'service_full.json:519: placeholder text in name ("name"), code ("code"), taxonomy ("taxonomy"); ignored',
      "service_full.json:519: taxonomy term has no usable name; not used",
      'service_full.json:526: placeholder text in name ("name"); ignored',
    ]);
    // Each line is the "id" of the thing reported.
    expect(lineOf(path, 42)).toContain('"id": "48102e86-bb50-41c4-8f1e-e269368c41d1"'); // the schedule
    expect(lineOf(path, 66)).toContain('"id": "381c64f1-a724-4884-9c21-ac96c21cca3e"'); // the service area
    expect(lineOf(path, 146)).toContain('"id": "3a19ff88-4620-4d17-9830-ac1d859eb5d5"'); // the location
    expect(lineOf(path, 167)).toContain('"id": "74706e55-df26-4b84-80fe-ecc30b5befb4"'); // the address
    expect(lineOf(path, 519)).toContain('"id": "3f7b145d-84af-42d7-8fae-eaca714b02b2"'); // the taxonomy term
  });

  it("imports a page of the paged list and says the other pages are not in the file", async () => {
    const path = join(FIXTURES, "service_list.json");
    const result = await importDirectory(path, { now: NOW });
    expect(result.format).toBe("hsds-json");
    expect(result.services).toEqual([
      {
        id: COUNSELLING_ID,
        name: "Community Counselling",
        summary: "Counselling Services provided by trained professionals.",
        organisation: "Example Organization Inc.",
        url: "http://example.com/counselling",
        email: "email@example.com",
        phones: [],
        terms: [],
        themes: ["health_wellbeing"],
        coverage: [],
        national: false,
        locations: [],
        hours: [],
        crisis: [],
      },
    ]);
    expect(listed(result)).toEqual([
      "service_list.json:2: this file is page 1 of 10, 1 of 10 services; only these were imported (fetch the other pages to import the rest)",
    ]);
  });

  it("reports duplicate and nameless services in a list and keeps the rest", async () => {
    const dir = tempDir();
    const path = join(dir, "services.json");
    writeFileSync(
      path,
      JSON.stringify(
        [
          {
            id: "a",
            name: "Debt advice line",
            description: "Free debt advice. Call us.",
            phones: [{ id: "p1", number: "01632 960001" }],
          },
          { id: "b", name: "" },
          { id: "a", name: "Second A" },
          { id: "c", name: "Youth club", schedules: [{ id: "s1", byday: "MO", opens_at: "18:00", closes_at: "9pm" }] },
        ],
        null,
        2,
      ),
    );
    const result = await importDirectory(path, { now: NOW });
    expect(result.services.map((s) => [s.id, s.name, s.themes])).toEqual([
      ["a", "Debt advice line", ["cost_of_living"]],
      ["c", "Youth club", ["young_people"]],
    ]);
    expect(listed(result)).toEqual([
      'services.json:14: service "b" has no name; skipped',
      'services.json:18: duplicate service id "a" (first on line 3); skipped',
      'services.json:26: closes_at "9pm" is not a time (HH:MM); schedule not used',
    ]);
  });

  it("reads nested terms, areas, places and hours (HSDS 3 and Open Referral UK names)", async () => {
    const dir = tempDir();
    const path = join(dir, "one.json");
    writeFileSync(
      path,
      JSON.stringify({
        id: "x1",
        name: "Tenancy help",
        description: "Help to keep your home.",
        attributes: [
          {
            id: "at1",
            taxonomy_term: {
              id: "t1",
              code: "42",
              name: "Housing advice",
              taxonomy_detail: { id: "tx", name: "esdNeeds" },
            },
          },
        ],
        service_taxonomys: [{ id: "st1", taxonomy: { id: "esd:debt", name: "Debt advice", vocabulary: "esdNeeds" } }],
        service_areas: [{ id: "sa1", service_area: "ST3 and ST4" }],
        regular_schedules: [{ id: "r1", byday: "MO,TH", opens_at: "10:00", closes_at: "14:00", freq: "WEEKLY" }],
        service_at_locations: [
          {
            id: "sal1",
            location: {
              id: "l1",
              name: "Longton office",
              latitude: "52.99",
              longitude: "-2.13",
              physical_addresses: [{ id: "ad1", postal_code: "st3 1hw" }],
            },
            phones: [{ id: "ph1", number: "'01632 960123" }],
          },
        ],
      }),
    );
    const result = await importDirectory(path, { now: NOW });
    expect(result.problems).toEqual([]);
    expect(result.services[0]).toMatchObject({
      terms: [
        { vocabulary: "esdNeeds", code: "42", name: "Housing advice" },
        { vocabulary: "esdNeeds", code: "esd:debt", name: "Debt advice" },
      ],
      themes: ["housing", "cost_of_living"],
      coverage: ["ST3", "ST4"],
      phones: ["01632 960123"],
      locations: [{ name: "Longton office", latitude: 52.99, longitude: -2.13, postcode: "ST3 1HW" }],
      hours: [{ days: ["MO", "TH"], opensAt: "10:00", closesAt: "14:00" }],
    });
  });

  it("refuses things that are not a directory", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "other.json"), '{"hello": "world"}');
    await expect(importDirectory(join(dir, "other.json"), { now: NOW })).rejects.toThrow(DirectoryImportError);
    await expect(importDirectory(dir, { now: NOW })).rejects.toThrow(
      /no services.csv \(HSDS 3\) or service.csv \(Open Referral UK\)/,
    );
    await expect(importDirectory(join(dir, "missing"), { now: NOW })).rejects.toThrow(/no such file or folder/);
  });
});

describe("the Stoke-on-Trent sample directory", () => {
  it("imports with no problems, at least 25 services, every theme at least twice", async () => {
    const result = await importDirectory(STOKE, { now: NOW });
    expect(result.format).toBe("oruk-tabular");
    expect(result.problems).toEqual([]);
    expect(result.services.length).toBeGreaterThanOrEqual(25);
    for (const theme of THEMES) {
      const count = result.services.filter((s) => s.themes.includes(theme)).length;
      expect({ theme, atLeastTwo: count >= 2 }).toEqual({ theme, atLeastTwo: true });
    }
    for (const service of result.services) {
      expect(service.summary.length).toBeGreaterThan(0);
      expect(service.summary.length).toBeLessThanOrEqual(140);
      expect(service.phones.length).toBeGreaterThan(0);
      expect(service.hours.length).toBeGreaterThan(0);
    }
  });

  it("normalises national helplines, local services and shared-location schedules", async () => {
    const result = await importDirectory(STOKE, { now: NOW });
    expect(byId(result, "samaritans")).toMatchObject({
      name: "Samaritans",
      organisation: "Samaritans",
      phones: ["116 123"],
      national: true,
      coverage: [],
      themes: ["health_wellbeing"],
      terms: [
        { vocabulary: "esdNeeds", code: "need-mental-health", name: "Mental health" },
        { vocabulary: "esdNeeds", code: "need-suicide-prevention", name: "Suicide prevention" },
      ],
      hours: [
        {
          days: ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
          opensAt: "00:00",
          closesAt: "24:00",
          validFrom: "2024-04-01",
          note: "Open 24 hours a day, every day of the year.",
        },
      ],
    });
    expect(byId(result, "housing-solutions")).toMatchObject({
      organisation: "Stoke-on-Trent City Council",
      phones: ["01632 960101"],
      national: false,
      coverage: ["ST1", "ST2", "ST3", "ST4", "ST6"],
      themes: ["housing"],
      locations: [{ name: "Civic Centre", latitude: 53.0043, longitude: -2.1837, postcode: "ST4 1HH" }],
      hours: [{ days: ["MO", "TU", "WE", "TH", "FR"], opensAt: "09:00", closesAt: "17:00", validFrom: "2024-04-01" }],
    });
    // Linked only through service_at_location_id: the hours at each library.
    expect(byId(result, "get-online-stoke").hours.map((h) => `${h.days.join(",")} ${h.opensAt}-${h.closesAt}`)).toEqual(
      ["TU 10:00-12:00", "TH 14:00-16:00"],
    );
    expect(byId(result, "get-online-stoke").locations.map((l) => l.postcode)).toEqual(["ST1 3RS", "ST3 1HW"]);
    expect(byId(result, "burslem-community-pantry").coverage).toEqual(["ST6"]);
    expect(byId(result, "shelter-helpline").phones).toEqual(["0808 800 4444"]);
    expect(byId(result, "national-domestic-abuse-helpline").phones).toEqual(["0808 2000 247"]);
    expect(byId(result, "citizens-advice-adviceline").phones).toEqual(["0800 144 8848"]);
    expect(byId(result, "nhs-111").phones).toEqual(["111"]);
    expect(result.services.every((s) => s.crisis.length === 0)).toBe(true);
  });
});

describe("a broken copy of the sample", () => {
  async function brokenCopy() {
    const dir = tempDir();
    cpSync(STOKE, dir, { recursive: true });
    const edit = (file: string, change: (lines: string[]) => string[]) => {
      const path = join(dir, file);
      writeFileSync(path, change(readFileSync(path, "utf8").split("\n")).join("\n"));
    };
    const setField = (line: string, index: number, value: string) => {
      const fields = line.split(","); // these sample rows have no quoted commas before `index`
      fields[index] = value;
      return fields.join(",");
    };

    edit("service.csv", (lines) => {
      // Line 4 becomes a three-line quoted description, then three bad rows follow it.
      const ndah = lines[3]!;
      expect(ndah.startsWith("national-domestic-abuse-helpline,refuge,National Domestic Abuse Helpline,")).toBe(true);
      const multiLine =
        'national-domestic-abuse-helpline,refuge,National Domestic Abuse Helpline,"Free support, day or night.\nSpecialist advisers on the ""National"" line.\nCall in confidence.",https://www.nationaldahelpline.org.uk,,active';
      return [
        ...lines.slice(0, 3),
        multiLine, // lines 4-6
        "samaritans,samaritans,Samaritans again,A second row with the same id.,,,active", // line 7
        "no-name-service,sotcc,,A service without a name.,,,active", // line 8
        ",sotcc,No id here,A service without an id.,,,active", // line 9
        ...lines.slice(4),
      ];
    });
    edit("phone.csv", (lines) => [
      lines[0]!,
      lines[1]!,
      "phone-999,no-such-service,01632 960999,en",
      "phone-998,no-name-service,01632 960998,en",
      ...lines.slice(2),
    ]);
    edit("regular_schedule.csv", (lines) => {
      expect(lines[1]!.startsWith("schedule-001,samaritans,")).toBe(true);
      expect(lines[2]!.startsWith("schedule-002,nhs-111,,,")).toBe(true);
      return [
        lines[0]!,
        lines[1]!.replace(",00:00,24:00,", ",00:00,9am-ish,"),
        setField(lines[2]!, 4, "25:00"),
        lines[3]!.replace('"MO,TU,WE,TH,FR,SA,SU"', '"MO,XX,SU"'),
        ...lines.slice(4),
      ];
    });
    edit("location.csv", (lines) => [lines[0]!, setField(lines[1]!, 3, "153.0043"), ...lines.slice(2)]);
    edit("service_area.csv", (lines) => lines.map((line) => line.replace(/^([^,]*),[^,]*,/, "$1,"))); // drop service_id
    edit("organization.csv", (lines) =>
      lines.map((line, i) => (line === "" ? line : `${line},${i === 0 ? "charity_number" : "1234567"}`)),
    ); // an extra column is fine
    return dir;
  }

  it("loads the good rows and reports each bad row at its exact file and line", async () => {
    const dir = await brokenCopy();
    const clean = await importDirectory(STOKE, { now: NOW });
    const result = await importDirectory(dir, { now: NOW });

    expect(listed(result)).toEqual([
      "location.csv:2: latitude 153.0043 is not between -90 and 90; coordinates not used",
      'phone.csv:3: service_id "no-such-service" is not a service in service.csv; row skipped',
      'regular_schedule.csv:2: closes_at "9am-ish" is not a time (HH:MM); schedule not used',
      'regular_schedule.csv:3: opens_at "25:00" is not a time (HH:MM); schedule not used',
      'regular_schedule.csv:4: byday "XX" is not a day (MO..SU); ignored',
      'service.csv:7: duplicate service id "samaritans" (first on line 2); row skipped',
      'service.csv:8: service "no-name-service" has no name; row skipped',
      "service.csv:9: service has no id; row skipped",
      "service_area.csv:1: missing required column service_id; the rows of service_area.csv cannot be read",
    ]);
    // The lines named really are those rows, counting the quoted description's extra lines.
    expect(lineOf(join(dir, "service.csv"), 7)).toMatch(/^samaritans,samaritans,Samaritans again,/);
    expect(lineOf(join(dir, "service.csv"), 9)).toMatch(/^,sotcc,No id here,/);
    expect(lineOf(join(dir, "phone.csv"), 3)).toMatch(/^phone-999,no-such-service,/);

    // Every good service is there, the first "samaritans" kept.
    expect(result.services.map((s) => s.id)).toEqual(clean.services.map((s) => s.id));
    expect(byId(result, "samaritans").name).toBe("Samaritans");
    expect(byId(result, "national-domestic-abuse-helpline").summary).toBe("Free support, day or night.");
    // Unusable fields dropped, rows kept.
    expect(byId(result, "samaritans").hours).toEqual([]);
    expect(byId(result, "samaritans").phones).toEqual(["116 123"]);
    expect(byId(result, "nhs-111").hours).toEqual([]);
    expect(byId(result, "national-domestic-abuse-helpline").hours).toEqual([
      { days: ["MO", "SU"], opensAt: "00:00", closesAt: "24:00", validFrom: "2024-04-01" },
    ]);
    expect(byId(result, "housing-solutions").locations).toEqual([{ name: "Civic Centre", postcode: "ST4 1HH" }]);
    expect(byId(result, "housing-solutions").phones).toEqual(["01632 960101"]);
    expect(result.services.every((s) => s.coverage.length === 0 && !s.national)).toBe(true);
    expect(byId(result, "city-central-library").organisation).toBe("Stoke-on-Trent City Council");
  });
});
