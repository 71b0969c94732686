// `placevoice backup` and `placevoice restore` as an operator runs them: a backup taken by another
// process while residents are writing, then restored into a fresh database.
import { writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/channel-harness.js";
import { runCli, runCliInProcess } from "../support/cli.js";
import { textUpdate } from "../support/fake-telegram.js";
import { tempDir } from "../support/temp-db.js";

const APP_SECRET = "channel-tests-app-secret-0123456789abcdef";
let h: Harness;
let scratch: ReturnType<typeof tempDir>;
let env: Record<string, string>;
beforeAll(async () => {
  h = await startHarness();
  scratch = tempDir();
  env = { DATABASE_URL: `file:${h.services.databaseFile}`, APP_SECRET, LOG_LEVEL: "warn" };
});
afterAll(async () => {
  await h.close();
  scratch.cleanup();
});

/** Address hashes of the Telegram contacts in a database file. */
function contactHashes(file: string): Set<string> {
  const db = new Database(file, { readonly: true });
  try {
    return new Set(
      (
        db.prepare(`SELECT address_hash FROM contacts WHERE channel = 'telegram'`).all() as { address_hash: string }[]
      ).map((r) => r.address_hash),
    );
  } finally {
    db.close();
  }
}

describe("placevoice backup and restore", () => {
  it("backs up while residents write, and the restored database has everyone acknowledged before it began", async () => {
    const file = path.join(scratch.dir, "under-load.db");
    const acknowledged: number[] = [];
    let writing = true;
    let chat = 880_000;
    const writer = (async () => {
      while (writing) {
        const id = chat++;
        const response = await h.telegramUpdateAnswered(textUpdate(id, "/start", { language: "en" }));
        if (response.status === 200) acknowledged.push(id);
        // A resident every 50 ms: writes all through the backup, and replies that drain in seconds.
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    while (acknowledged.length < 20) await new Promise((r) => setTimeout(r, 10));
    const beforeBackup = [...acknowledged];
    const backup = await runCli(["backup", file], { env });
    const duringBackup = acknowledged.length - beforeBackup.length;
    writing = false;
    await writer;
    await h.services.dispatcher.settled();
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backed up .* to .*under-load\.db: \d+ KiB, integrity ok, \d+ migration\(s\)/);
    expect(backup.stdout).toContain("Keep the app secret");
    expect(duringBackup).toBeGreaterThan(0); // residents went on writing while it ran

    const restoredFile = path.join(scratch.dir, "restored", "placevoice.db");
    const restore = await runCliInProcess(["restore", file], {
      env: { DATABASE_URL: `file:${restoredFile}`, APP_SECRET },
    });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`Restored ${file} to ${restoredFile}`);
    const restored = contactHashes(restoredFile);
    for (const id of beforeBackup)
      expect(restored.has(await h.services.addressCrypto.hash("telegram", String(id))), `chat ${id}`).toBe(true);
    // The copy is one moment: nothing acknowledged after the backup finished is in it.
    expect(restored.size).toBeLessThan(contactHashes(h.services.databaseFile).size);
  }, 60_000);

  it("refuses to overwrite a file without --force, and replaces it with --force", async () => {
    const file = path.join(scratch.dir, "twice.db");
    expect((await runCliInProcess(["backup", file], { env })).code).toBe(0);
    const again = await runCliInProcess(["backup", file], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe(`placevoice backup: ${file} already exists; add --force to replace it\n`);
    const forced = await runCliInProcess(["backup", file, "--force"], { env });
    expect(forced.code).toBe(0);
    const missing = await runCliInProcess(["backup"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("restore checks the copy, the secret and the running database before replacing anything", async () => {
    const file = path.join(scratch.dir, "checked.db");
    expect((await runCliInProcess(["backup", file], { env })).code).toBe(0);

    const live = await runCliInProcess(["restore", file], { env });
    expect(live.code).toBe(2);
    expect(live.stderr).toMatch(/^placevoice restore: .* exists; stop the server, then add --force/);

    const otherSecret = await runCliInProcess(["restore", file], {
      env: {
        DATABASE_URL: `file:${path.join(scratch.dir, "other", "p.db")}`,
        APP_SECRET: "a-different-secret-0123456789abcdef",
      },
    });
    expect(otherSecret.code).toBe(2);
    expect(otherSecret.stderr).toContain("the app secret cannot read the addresses in this backup");

    const notADatabase = path.join(scratch.dir, "notes.txt");
    writeFileSync(notADatabase, "not a database at all, just some words that are long enough to be a header");
    const junk = await runCliInProcess(["restore", notADatabase], { env });
    expect(junk.code).toBe(2);
    expect(junk.stderr.trim().split("\n")).toHaveLength(1);
    expect(junk.stderr).toContain("is not an SQLite database");
  });
});
