// `placevoice services import <folder> --d1 <database>`: the directory reaches D1 in one
// command, through wrangler, on a local D1 built from the migrations as `wrangler dev` keeps it
// (--persist-to). The report is planned against what D1 holds (added, updated, removed), a
// second import updates in place, and a write that fails leaves D1 as it was.
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageRoot, sampleDirectoryDir } from "../../src/runtime-node/paths.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir("placevoice-d1-import-");
const persist = path.join(t.dir, "state");
const env = { CI: "true", WRANGLER_SEND_METRICS: "false" };
let d1File = "";

const d1 = () => new Database(d1File);
const rows = () => {
  const db = d1();
  try {
    return {
      services: db.prepare(`SELECT id, phones, source FROM services ORDER BY id`).all() as {
        id: string;
        phones: string;
        source: string;
      }[],
      settings: db.prepare(`SELECT key, value FROM directory_settings`).all(),
    };
  } finally {
    db.close();
  }
};

beforeAll(() => {
  const wrangler = path.join(packageRoot, "node_modules", ".bin", "wrangler");
  const applied = spawnSync(wrangler, ["d1", "migrations", "apply", "placevoice", "--local", "--persist-to", persist], {
    cwd: packageRoot,
    env: { ...process.env, ...env, NO_COLOR: "1" },
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(applied.status, applied.stderr).toBe(0);
  const dir = path.join(persist, "v3", "d1", "miniflare-D1DatabaseObject");
  d1File = path.join(
    dir,
    readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")!,
  );
}, 180_000);

afterAll(() => t.cleanup());

const importInto = (folder: string) =>
  runCli(["services", "import", folder, "--d1", "placevoice", "--persist-to", persist], { env });

describe("placevoice services import --d1", () => {
  it("imports the sample into D1 in one command, then updates it in place", async () => {
    const first = await importInto(sampleDirectoryDir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      'Imported 37 service(s) from "stoke-on-trent" (oruk-tabular): 37 added, 0 updated, 0 removed. 0 problem(s) reported above.',
    );
    expect(first.stdout).toContain('Stored in the local D1 database "placevoice".');
    const stored = rows();
    expect(stored.services).toHaveLength(37);
    expect(stored.services.find((s) => s.id === "stoke-travel-line")).toMatchObject({
      phones: '["01632 960220"]',
      source: "stoke-on-trent",
    });
    expect(JSON.parse((stored.settings[0] as { value: string }).value)).toMatchObject({ area: "Stoke-on-Trent" });

    // The council corrects a number and drops a service.
    const changed = path.join(t.dir, "changed", "stoke-on-trent");
    cpSync(sampleDirectoryDir, changed, { recursive: true });
    const phones = path.join(changed, "phone.csv");
    writeFileSync(phones, readFileSync(phones, "utf8").replace("01632 960220", "01632 960991"));
    const services = path.join(changed, "service.csv");
    writeFileSync(
      services,
      readFileSync(services, "utf8")
        .split("\n")
        .filter((line) => !line.startsWith("meir-youth-project,"))
        .join("\n"),
    );
    const second = await importInto(changed);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /Imported 36 service\(s\) from "stoke-on-trent" \(oruk-tabular\): 0 added, 36 updated, 1 removed\./,
    );
    const after = rows();
    expect(after.services).toHaveLength(36);
    expect(after.services.find((s) => s.id === "meir-youth-project")).toBeUndefined();
    expect(after.services.find((s) => s.id === "stoke-travel-line")!.phones).toBe('["01632 960991"]');
  }, 120_000);

  it("leaves D1 as it was when the write fails part way, and says so", async () => {
    const before = rows();
    const db = d1();
    db.exec(
      `CREATE TRIGGER refuse_settings BEFORE UPDATE ON directory_settings BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`,
    );
    db.close();
    try {
      const failed = await importInto(sampleDirectoryDir);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain("wrangler d1 execute placevoice failed, nothing was imported");
      expect(failed.stderr).toContain("disk trouble");
      expect(rows()).toEqual(before);
    } finally {
      const again = d1();
      again.exec(`DROP TRIGGER refuse_settings`);
      again.close();
    }
  }, 120_000);

  it("services export-sql: a Node database's directory as SQL that wrangler loads into D1 (the way without --d1)", async () => {
    mkdirSync(path.join(t.dir, "node"));
    // A fresh Node database imports the shipped sample on its first start.
    const exported = await runCli(["services", "export-sql"], {
      env: {
        ...env,
        DATABASE_URL: `file:${path.join(t.dir, "node", "pv.db")}`,
        APP_SECRET: "services-d1-secret-0123456789abcdef",
        LOG_LEVEL: "error",
      },
    });
    expect(exported.code, exported.stderr).toBe(0);
    const file = path.join(t.dir, "services.sql");
    writeFileSync(file, exported.stdout);
    const loaded = spawnSync(
      path.join(packageRoot, "node_modules", ".bin", "wrangler"),
      ["d1", "execute", "placevoice", "--local", "--persist-to", persist, "--file", file],
      { cwd: packageRoot, env: { ...process.env, ...env, NO_COLOR: "1" }, encoding: "utf8", timeout: 120_000 },
    );
    expect(loaded.status, loaded.stderr).toBe(0);
    const stored = rows();
    expect(stored.services).toHaveLength(37);
    expect(stored.services.find((s) => s.id === "stoke-travel-line")!.phones).toBe('["01632 960220"]');
  }, 120_000);

  it("answers a mistyped command with one line and exit code 2", async () => {
    for (const [args, message] of [
      [["--remote"], "--remote and --persist-to go with --d1 <database>"],
      [["--d1", "my database"], "--d1 takes the D1 database's name from wrangler.toml"],
      [["--d1", "placevoice", "--remote", "--persist-to", "x"], "--persist-to is for the local D1"],
      [["--d1"], "--d1"],
    ] as const) {
      const result = await runCli(["services", "import", sampleDirectoryDir, ...args], { env });
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
  });
});
