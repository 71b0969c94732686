import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importDirectory } from "../../src/directory/import/index.js";

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function writePackage(files: Record<string, string[]>): string {
  const dir = mkdtempSync(join(tmpdir(), "placevoice-linking-"));
  temps.push(dir);
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, name), `${lines.join("\n")}\n`);
  return dir;
}

describe("HSDS 3 links between tables", () => {
  it("follows service_at_location, location, contact and attribute links", async () => {
    const dir = writePackage({
      "services.csv": [
        "id,name,description,status,url,email",
        "debt,Money Matters,Free debt and benefits advice.,active,www.example.org/money,not-an-email",
        "youth,Youth Hub,Evening youth club.,active,,",
        "old,Old Service,Closed down.,defunct,,",
        "soon,Pop-up Advice,Advice.,planned,,",
      ],
      "locations.csv": [
        "id,name,latitude,longitude",
        "hub,Community Hub,53.02,-2.18",
        "far,Bad Place,53.0,-200",
        "empty,No Coordinates,,",
      ],
      "addresses.csv": [
        "id,location_id,address_1,postal_code,address_type",
        "a1,hub,1 High St,st1 1aa,postal",
        "a2,hub,1 High St,ST1 1AB,physical",
        "a3,nowhere,1 Low St,ST2 2AA,physical",
      ],
      "service_at_location.csv": [
        "id,service_id,location_id",
        "sal-debt,debt,hub",
        "sal-youth,youth,hub",
        "sal-far,youth,far",
        "sal-x,ghost,hub",
      ],
      "contacts.csv": ["id,service_id,name", "c1,debt,Reception"],
      "phones.csv": [
        "id,service_id,service_at_location_id,contact_id,organization_id,number,type",
        "p1,,sal-debt,,,01632 960001,voice",
        "p2,,,c1,,01632 960002,voice",
        "p3,debt,,,,01632 960003,fax",
        "p4,,,,org1,01632 960004,voice",
        "p5,,sal-missing,,,01632 960005,voice",
        "p6,youth,,,,call us,voice",
      ],
      "schedules.csv": [
        "id,service_id,service_at_location_id,location_id,byday,opens_at,closes_at,freq,interval,valid_to,dtstart,description",
        "h1,,,hub,SA,10:00,12:00,,,,,Building open Saturdays",
        "h2,youth,,,,18:00,21:00,WEEKLY,,,2025-06-04,",
        "h3,youth,,,MO,18:00,21:00,WEEKLY,2,,,",
        "h4,debt,,,TU,9:30:00,16:00:00,MONTHLY,,,,",
        "h5,debt,,,WE,09:00,00:00,WEEKLY,,2099-12-31,,",
        "h6,debt,,,,,,,,,,By appointment only",
      ],
      "service_areas.csv": [
        "id,service_id,name,description,extent",
        "sa1,debt,Potteries,All ST postcodes,",
        "sa2,youth,Near the A500 and A50,ST6 1AA and ST10,",
        "sa3,youth,,UK-wide online sessions,",
      ],
      "taxonomies.csv": ["id,name", "t-lga,esdNeeds"],
      "taxonomy_terms.csv": [
        "id,code,name,taxonomy_id",
        "term-debt,123,Debt advice,t-lga",
        "term-youth,456,Youth clubs,t-lga",
      ],
      "attributes.csv": [
        "id,link_id,link_entity,taxonomy_term_id",
        "at1,debt,service,term-debt",
        "at2,youth,service,term-youth",
        "at3,hub,location,term-debt",
        "at4,debt,service,term-missing",
      ],
    });
    const result = await importDirectory(dir, { now: new Date("2025-06-01T00:00:00Z") });
    expect(result.format).toBe("hsds3-tabular");
    expect(result.services.map((s) => s.id)).toEqual(["debt", "youth", "soon"]);

    const [debt, youth] = result.services;
    expect(debt).toMatchObject({
      url: "https://www.example.org/money",
      phones: ["01632 960001", "01632 960002"], // fax and the organisation's phone are not the service's
      terms: [{ vocabulary: "esdNeeds", code: "123", name: "Debt advice" }],
      themes: ["cost_of_living"],
      coverage: ["ST"],
      national: false,
      locations: [{ name: "Community Hub", latitude: 53.02, longitude: -2.18, postcode: "ST1 1AB" }],
      hours: [
        { days: ["SA"], opensAt: "10:00", closesAt: "12:00", note: "Building open Saturdays" }, // through the location
        { days: ["WE"], opensAt: "09:00", closesAt: "24:00", validTo: "2099-12-31" },
      ],
    });
    expect(debt?.email).toBeUndefined();
    expect(youth).toMatchObject({
      phones: [],
      themes: ["young_people"],
      coverage: ["ST6", "ST10"],
      national: true,
      locations: [
        { name: "Community Hub", latitude: 53.02, longitude: -2.18, postcode: "ST1 1AB" },
        { name: "Bad Place" },
      ],
      hours: [
        { days: ["SA"], opensAt: "10:00", closesAt: "12:00" },
        { days: ["WE"], opensAt: "18:00", closesAt: "21:00" }, // byday empty: the weekday of dtstart
      ],
    });

    expect(result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`)).toEqual([
      'addresses.csv:4: location_id "nowhere" is not a location; row skipped',
      'attributes.csv:5: taxonomy_term_id "term-missing" is not a term in taxonomy_terms.csv; row skipped',
      "locations.csv:3: longitude -200 is not between -180 and 180; coordinates not used",
      'phones.csv:6: service_at_location_id "sal-missing" is not in service_at_location.csv; row skipped',
      'phones.csv:7: phone number "call us" is not a phone number; not used',
      "schedules.csv:4: interval 2 (every 2 weeks) cannot be shown as weekly hours; schedule not used",
      'schedules.csv:5: freq "MONTHLY" is not weekly; schedule not used',
      "schedules.csv:7: opens_at and closes_at are missing; schedule not used",
      'service_at_location.csv:5: service_id "ghost" is not a service in services.csv; row skipped',
      'services.csv:2: email "not-an-email" is not an email address; not used',
      'services.csv:4: service "old" has status "defunct"; row skipped',
      'services.csv:5: status "planned" is not one of active, inactive, defunct, temporarily closed; imported as active',
    ]);
  });
});
