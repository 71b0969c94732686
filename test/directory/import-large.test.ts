import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { importDirectory } from "../../src/directory/import/index.js";

// Schedules are judged against this day, not the machine's.
const NOW = new Date("2025-06-01T12:00:00Z");

const SERVICES = 10_000;
let dir = "";
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a large generated HSDS 3 package", () => {
  it("imports 10,000 services, reporting progress as it reads", async () => {
    dir = mkdtempSync(join(tmpdir(), "placevoice-large-"));
    const kinds = ["Debt advice", "Youth clubs", "Libraries", "Mental health", "Public transport"];
    const services = ["id,organization_id,name,description,status"];
    const phones = ["id,service_id,number,type"];
    const schedules = ["id,service_id,byday,opens_at,closes_at,freq,description"];
    const areas = ["id,service_id,name"];
    for (let i = 0; i < SERVICES; i++) {
      const kind = kinds[i % kinds.length]!;
      services.push(
        `s${i},org${i % 10},${kind} ${i},"${kind} for everyone, ""free"".\nSecond line of the description.",active`,
      );
      phones.push(`p${i},s${i},01632 960${String(i % 1000).padStart(3, "0")},voice`);
      schedules.push(`h${i},s${i},"MO,WE,FR",09:00,17:00,WEEKLY,`);
      areas.push(`a${i},s${i},ST${(i % 4) + 1}`);
    }
    const organizations = ["id,name", ...Array.from({ length: 10 }, (_, i) => `org${i},Organisation ${i}`)];
    writeFileSync(join(dir, "services.csv"), services.join("\n"));
    writeFileSync(join(dir, "organizations.csv"), organizations.join("\n"));
    writeFileSync(join(dir, "phones.csv"), phones.join("\n"));
    writeFileSync(join(dir, "schedules.csv"), schedules.join("\n"));
    writeFileSync(join(dir, "service_areas.csv"), areas.join("\n"));

    const progress: number[] = [];
    const started = performance.now();
    const result = await importDirectory(dir, { now: NOW, onProgress: (n) => progress.push(n) });
    const elapsed = performance.now() - started;

    expect(result.format).toBe("hsds3-tabular");
    expect(result.problems).toEqual([]);
    expect(result.services).toHaveLength(SERVICES);
    expect(result.services[9_999]).toMatchObject({
      id: "s9999",
      name: "Public transport 9999",
      summary: 'Public transport for everyone, "free".',
      organisation: "Organisation 9",
      phones: ["01632 960999"],
      themes: ["transport"],
      coverage: ["ST4"],
      hours: [{ days: ["MO", "WE", "FR"], opensAt: "09:00", closesAt: "17:00" }],
    });
    const rows = 10 + 4 * SERVICES;
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(rows);
    expect(progress[0]).toBe(1000);
    expect(elapsed).toBeLessThan(5000);
  });
});
