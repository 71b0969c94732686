// Groups that want help: marked in a directory by an Open Referral "Volunteering" term or in its
// placevoice.yaml, and matched to what a resident could offer, nearest first.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyCrisisConfig,
  importDirectory,
  loadDirectoryConfig,
  parseDirectoryConfig,
  toDirectorySettings,
} from "../../src/directory/import/index.js";
import { DirectoryIndex } from "../../src/directory/match.js";
import { volunteerGroups } from "../../src/directory/volunteering.js";

// Schedules are judged against this day, not the machine's.
const NOW = new Date("2025-06-01T12:00:00Z");
const STOKE = join(import.meta.dirname, "../../directories/stoke-on-trent");
const HSDS3 = "/work/shared/fixtures/hsds3/csv";

async function stokeIndex(): Promise<DirectoryIndex> {
  const [loaded, imported] = await Promise.all([loadDirectoryConfig(STOKE), importDirectory(STOKE, { now: NOW })]);
  const { services } = applyCrisisConfig(imported.services, loaded);
  return new DirectoryIndex(services, toDirectorySettings(loaded.config));
}

const query = { limit: 3, language: "en", now: NOW };

describe("groups that want help, from the services directory", () => {
  it("finds the sample's groups: one by its Volunteering term, five from placevoice.yaml", async () => {
    const [loaded, imported] = await Promise.all([loadDirectoryConfig(STOKE), importDirectory(STOKE, { now: NOW })]);
    const { problems } = applyCrisisConfig(imported.services, loaded);
    expect(loaded.problems).toEqual([]);
    expect(problems).toEqual([]);
    const groups = volunteerGroups(imported.services, loaded.config.volunteering);
    expect(groups.map((g) => [g.service.id, g.markedBy, g.wants])).toEqual([
      ["burslem-community-pantry", "config", ["time", "lifts"]],
      ["potteries-community-transport", "config", ["lifts"]],
      ["hanley-park-volunteers", "taxonomy", undefined],
      ["tunstall-youth-club", "config", ["skill", "space"]],
      ["fenton-community-centre", "config", ["neighbours", "time"]],
      ["get-online-stoke", "config", ["skill", "languages", "time"]],
    ]);
    // How to reach a group about helping: its own line in placevoice.yaml, else the service's.
    const fenton = groups.find((g) => g.service.id === "fenton-community-centre")!;
    expect([fenton.email, fenton.phone]).toEqual(["volunteers@example.org", "01632 960320"]);
    for (const g of groups.filter((g) => g.markedBy === "config"))
      expect(Object.keys(g.needs ?? {})).toEqual(["en", "cy"]);
  });

  it("imports a directory that marks no group as before, with no group and no problem about it", async () => {
    const imported = await importDirectory(HSDS3, { now: NOW });
    expect(imported.services.length).toBeGreaterThan(0);
    expect(imported.problems.filter((p) => /volunteer/i.test(p.message))).toEqual([]);
    expect(volunteerGroups(imported.services, {})).toEqual([]);
    const index = new DirectoryIndex(
      imported.services,
      toDirectorySettings(parseDirectoryConfig("area: X", "p", "X").config),
    );
    expect(index.groupCount).toBe(0);
    expect(index.groups({ ...query, kinds: ["time", "skill"], area: null })).toEqual([]);
  });

  it("reports what it cannot use in placevoice.yaml's volunteering, at its line", () => {
    const source = [
      "area: Testville",
      "volunteering:",
      "  helpline:",
      "    wants: [time, juggling]",
      "  gone-group:",
      "    needs:",
      `      en: ${"x".repeat(141)}`,
    ].join("\n");
    const bad = parseDirectoryConfig(source, "placevoice.yaml", "x");
    expect(bad.problems.map((p) => [p.line, p.message])).toEqual([
      [
        4,
        "volunteering.helpline.wants.1: wants is a list of what the group would welcome: time, skill, space, lifts, languages, neighbours, other",
      ],
      [6, "volunteering.gone-group.needs: needs is one line of at most 140 characters in each language"],
    ]);
    const unknown = parseDirectoryConfig(
      "area: T\nvolunteering:\n  helpline: {}\n  gone-group: {}\n",
      "placevoice.yaml",
      "x",
    );
    expect(unknown.problems).toEqual([]);
    const helpline = { id: "helpline" } as Parameters<typeof applyCrisisConfig>[0][number];
    expect(applyCrisisConfig([helpline], unknown).problems).toEqual([
      { file: "placevoice.yaml", line: 4, message: 'volunteering: "gone-group" is not a service in the directory' },
    ]);
  });

  it("offers the groups that want what the resident offers and cover their area, nearest first", async () => {
    const index = await stokeIndex();
    expect(index.groupCount).toBe(6);
    // Lifts in Burslem (ST6): the two groups that ask for lifts, then the park group that welcomes anything.
    const lifts = index.groups({ ...query, kinds: ["lifts"], area: "ST6" });
    expect(lifts.map((g) => g.id)).toEqual([
      "burslem-community-pantry",
      "potteries-community-transport",
      "hanley-park-volunteers",
    ]);
    expect(lifts[0]).toMatchObject({
      name: "Burslem Community Pantry",
      summary: "Helpers to sort and hand out food on weekdays, and drivers to collect donations from shops.",
      phone: "01632 960121",
    });
    // Fenton's centre covers ST4 only: looking out for neighbours there finds it, in Burslem does not.
    expect(index.groups({ ...query, kinds: ["neighbours"], area: "ST4" }).map((g) => g.id)).toEqual([
      "fenton-community-centre",
      "hanley-park-volunteers",
    ]);
    expect(index.groups({ ...query, kinds: ["neighbours"], area: "ST6" }).map((g) => g.id)).toEqual([
      "hanley-park-volunteers",
    ]);
    // Outside every group's area: none.
    expect(index.groups({ ...query, kinds: ["time"], area: "CF10" })).toEqual([]);
  });

  it("lets the resident's own words choose between groups that fit equally, and speaks Welsh", async () => {
    const index = await stokeIndex();
    const skill = index.groups({ ...query, kinds: ["skill"], area: "ST6", text: "I could teach cooking to teenagers" });
    expect(skill.map((g) => g.id)).toEqual(["tunstall-youth-club", "get-online-stoke", "hanley-park-volunteers"]);
    const welsh = index.groups({ ...query, language: "cy", kinds: ["languages"], area: "ST1" });
    expect(welsh[0]).toMatchObject({
      id: "get-online-stoke",
      summary: "Hyrwyddwyr digidol i helpu pobl i ddefnyddio ffonau a chyfrifiaduron, yn Saesneg neu mewn iaith arall.",
    });
  });
});
