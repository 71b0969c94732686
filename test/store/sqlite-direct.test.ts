// The webhook path's own SQLite connection: steps that arrive together share one commit (group
// commit) yet each applies whole or not at all, nothing is acknowledged before it is in the
// file, and waiting for another writer's lock never blocks the event loop.
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { retryWhileBusy, SqliteConnection } from "../../src/store/sqlite-direct.js";
import { tempDir } from "../support/temp-db.js";

const scratch = tempDir();
afterAll(() => scratch.cleanup());
let n = 0;
let file: string;
let connection: SqliteConnection;
let other: Database.Database;

beforeEach(() => {
  file = path.join(scratch.dir, `direct-${++n}.db`);
  const setup = new Database(file);
  setup.pragma("journal_mode = WAL");
  setup.exec(`CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)`);
  setup.close();
  connection = new SqliteConnection(file);
  other = new Database(file, { timeout: 0 });
});
afterEach(() => {
  connection.close();
  other.close();
});

const insert =
  (id: string, body = "x") =>
  () =>
    connection.run(`INSERT INTO notes (id, body) VALUES (?, ?)`, id, body);
const ids = () => other.prepare(`SELECT id FROM notes ORDER BY id`).pluck().all();

describe("SqliteConnection.transaction (group commit)", () => {
  it("commits steps started together, each on its own: one step failing takes nothing else with it", async () => {
    await connection.transaction(insert("taken"));
    const [a, b, c] = await Promise.allSettled([
      connection.transaction(insert("a")),
      // Writes one row, then fails on a duplicate key: its first write must not survive.
      connection.transaction(() => {
        insert("b")();
        insert("taken")();
      }),
      connection.transaction(insert("c")),
    ]);
    expect(a.status).toBe("fulfilled");
    expect(c.status).toBe("fulfilled");
    expect(b.status).toBe("rejected");
    expect(String((b as PromiseRejectedResult).reason)).toMatch(/UNIQUE constraint failed: notes\.id/);
    expect(ids()).toEqual(["a", "c", "taken"]);
  });

  it("resolves only once the batch is committed: another connection already sees it", async () => {
    const seen = await connection
      .transaction(() => {
        insert("first")();
        return "done";
      })
      .then((value) => ({ value, rows: ids() }));
    expect(seen).toEqual({ value: "done", rows: ["first"] });
  });

  it("rolls back a lone failing step whole", async () => {
    await connection.transaction(insert("taken"));
    await expect(
      connection.transaction(() => {
        insert("half")();
        insert("taken")();
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(ids()).toEqual(["taken"]);
    // The connection is usable afterwards.
    await connection.transaction(insert("after"));
    expect(ids()).toEqual(["after", "taken"]);
  });

  it("waits out another writer's lock asynchronously: timers keep firing, and the step lands when the lock goes", async () => {
    other.prepare("BEGIN IMMEDIATE").run();
    other.prepare(`INSERT INTO notes (id, body) VALUES ('theirs', 'x')`).run();
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(Date.now()), 10);
    const started = Date.now();
    setTimeout(() => other.prepare("COMMIT").run(), 200);
    await connection.transaction(insert("mine"));
    clearInterval(timer);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    // The event loop ran throughout the wait (a blocking busy handler would allow none).
    expect(ticks.length).toBeGreaterThanOrEqual(5);
    expect(ids()).toEqual(["mine", "theirs"]);
  });

  it("gives up with SQLITE_BUSY once the wait budget is spent, writing nothing", async () => {
    other.prepare("BEGIN IMMEDIATE").run();
    const started = Date.now();
    await expect(
      retryWhileBusy(() => connection.db.prepare(`INSERT INTO notes (id, body) VALUES ('late', 'x')`).run(), 150),
    ).rejects.toMatchObject({ code: "SQLITE_BUSY" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    other.prepare("ROLLBACK").run();
    expect(ids()).toEqual([]);
  });
});
