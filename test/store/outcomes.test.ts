// Store failures are told apart in one place (src/store/outcomes.ts), from the errors the real
// drivers raise: better-sqlite3 directly, and Prisma's SQLite adapter.
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { classifyStoreError } from "../../src/store/outcomes.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
afterAll(() => t.cleanup());

function failureOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("classifyStoreError", () => {
  const db = new Database(`${t.dir}/outcomes.db`);
  db.exec(
    `CREATE TABLE inbound_messages (id TEXT PRIMARY KEY); CREATE TABLE sessions (id TEXT PRIMARY KEY, contact_id TEXT NOT NULL UNIQUE); CREATE TABLE a (x INTEGER NOT NULL)`,
  );
  db.prepare(`INSERT INTO inbound_messages VALUES ('sms:SM1')`).run();
  db.prepare(`INSERT INTO sessions VALUES ('s1', 'c1')`).run();

  it("a redelivered message is a duplicate, naming its table", () => {
    expect(
      classifyStoreError(failureOf(() => db.prepare(`INSERT INTO inbound_messages VALUES ('sms:SM1')`).run())),
    ).toEqual({ kind: "duplicate", table: "inbound_messages" });
  });

  it("a second session for one contact, or a guard that fails, is a lost race", () => {
    expect(classifyStoreError(failureOf(() => db.prepare(`INSERT INTO sessions VALUES ('s2', 'c1')`).run()))).toEqual({
      kind: "lost_race",
    });
    expect(classifyStoreError(failureOf(() => db.prepare(`SELECT json('not json')`).get()))).toEqual({
      kind: "lost_race",
    });
  });

  it("a locked database is busy; anything else is other", () => {
    const locker = new Database(`${t.dir}/outcomes.db`);
    locker.exec("BEGIN IMMEDIATE");
    const waiting = new Database(`${t.dir}/outcomes.db`, { timeout: 1 });
    expect(classifyStoreError(failureOf(() => waiting.exec("BEGIN IMMEDIATE")))).toEqual({ kind: "busy" });
    locker.exec("ROLLBACK");
    locker.close();
    waiting.close();
    expect(classifyStoreError(failureOf(() => db.prepare(`INSERT INTO a VALUES (NULL)`).run()))).toEqual({
      kind: "other",
    });
    expect(classifyStoreError(new Error("something else"))).toEqual({ kind: "other" });
  });

  it("Prisma's unique-violation code is a duplicate", () => {
    expect(
      classifyStoreError(Object.assign(new Error("Unique constraint failed on the fields: (`id`)"), { code: "P2002" }))
        .kind,
    ).toBe("duplicate");
  });
});
