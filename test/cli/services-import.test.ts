// `placevoice services import` as an operator runs it: the shipped sample, again (idempotent),
// and a broken copy whose bad rows are reported by file and line while good rows load.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sampleDirectoryDir } from "../../src/runtime-node/paths.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
afterAll(() => t.cleanup());
const env = {
  DATABASE_URL: `file:${path.join(t.dir, "s.db")}`,
  APP_SECRET: "services-import-secret-0123456789abcdef",
  SERVICES_DIRECTORY: "none",
};

describe("placevoice services import", () => {
  it("imports the sample, then re-imports it without duplicating", async () => {
    const first = await runCli(["services", "import", sampleDirectoryDir], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      'Imported 37 service(s) from "stoke-on-trent" (oruk-tabular): 37 added, 0 updated, 0 removed. 0 problem(s) reported above.',
    );
    expect(first.stdout).toContain(
      '6 group(s) welcome volunteers (marked "Volunteering" in the taxonomy or listed under volunteering: in placevoice.yaml).',
    );
    const again = await runCli(["services", "import", sampleDirectoryDir], { env });
    expect(again.stdout).toContain("0 added, 37 updated, 0 removed");
  });

  it("imports a directory that marks no group as welcoming volunteers, and says so", async () => {
    const plain = path.join(t.dir, "no-volunteering", "stoke-on-trent");
    cpSync(sampleDirectoryDir, plain, { recursive: true });
    const links = readFileSync(path.join(plain, "service_taxonomy.csv"), "utf8").split("\n");
    writeFileSync(
      path.join(plain, "service_taxonomy.csv"),
      links.filter((l) => !l.includes("need-volunteering")).join("\n"),
    );
    const config = readFileSync(path.join(plain, "placevoice.yaml"), "utf8");
    writeFileSync(path.join(plain, "placevoice.yaml"), config.slice(0, config.indexOf("\nvolunteering:")));
    const result = await runCli(["services", "import", plain], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("0 problem(s) reported above.");
    expect(result.stdout).toContain(
      'No group is marked as welcoming volunteers (a "Volunteering" taxonomy term, or volunteering: in placevoice.yaml).',
    );
  });

  it("loads the good rows of a broken copy and names each bad row's file and line", async () => {
    const broken = path.join(t.dir, "stoke-on-trent");
    cpSync(sampleDirectoryDir, broken, { recursive: true });
    const services = readFileSync(path.join(broken, "service.csv"), "utf8").split("\n");
    // Duplicate the second service's row at the end (same id).
    services.splice(services.length - 1, 0, services[1]!);
    writeFileSync(path.join(broken, "service.csv"), services.join("\n"));
    const schedules = readFileSync(path.join(broken, "regular_schedule.csv"), "utf8").split("\n");
    schedules[2] = schedules[2]!.replace(/\b(\d\d):00(:00)?\b/, "25:00");
    writeFileSync(path.join(broken, "regular_schedule.csv"), schedules.join("\n"));
    const result = await runCli(["services", "import", broken], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`service\\.csv:${services.length - 1}: .*duplicate`, "i"));
    expect(result.stdout).toMatch(/regular_schedule\.csv:3: .*25:00/);
    expect(result.stdout).toMatch(/Imported 37 service\(s\) from "stoke-on-trent"/);
  });

  it("refuses a path that is not a directory export", async () => {
    const result = await runCli(["services", "import", path.join(t.dir, "nothing-here")], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no such file or folder");
  });
});
