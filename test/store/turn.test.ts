// What every inbound message reads before its step: the contact, its session and whether the
// message id was processed, as one statement (src/store/turn.ts) on the webhook path's SQLite
// connection. The Worker runs the same statement on D1 (test/worker/worker.test.ts).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionState } from "../../src/engine/types.js";
import type { PrismaClient } from "../../src/generated/prisma/client.js";
import { migrationsDir } from "../../src/runtime-node/paths.js";
import { SqliteConnection, sqlitePort } from "../../src/store/sqlite-direct.js";
import { SqlConversationStore } from "../../src/store/conversation-store.js";
import { migrateSqliteFile, openPrismaSqlite } from "../../src/store/sqlite-file.js";
import { tempDir } from "../support/temp-db.js";

const scratch = tempDir();
let prisma: PrismaClient;
let store: SqlConversationStore;
beforeAll(async () => {
  const file = path.join(scratch.dir, "turn.db");
  migrateSqliteFile(file, migrationsDir);
  prisma = await openPrismaSqlite(file);
  store = new SqlConversationStore(sqlitePort(new SqliteConnection(file)), prisma);
});
afterAll(async () => {
  await store.close();
  scratch.cleanup();
});

const state: SessionState = {
  flowId: "priorities",
  nodeId: "postcode",
  step: 3,
  retries: 0,
  picks: [],
  answers: { language: "cy" },
  vars: {},
  choosingLanguage: false,
  startedAt: "2026-11-22T10:00:00.000Z",
  expiresAt: "2026-11-23T10:00:00.000Z",
};

describe("openTurn", () => {
  it("finds nothing for an address it has never seen", async () => {
    expect(await store.openTurn("sms", "no-such-hash", "sms:SM1")).toEqual({
      contact: null,
      session: null,
      seen: false,
    });
    expect(await store.openTurn("sms", "no-such-hash")).toEqual({ contact: null, session: null, seen: false });
  });

  it("reads the contact as it was stored, its session, and whether this message was processed", async () => {
    const created = await store.findOrCreateContact({
      id: "contact-turn-1",
      channel: "telegram",
      addressHash: "hash-turn-1",
      addressEnc: "v1.x.y.z",
      language: "en",
      recordKey: 42,
      createdAt: new Date("2026-01-05T10:00:00Z"),
    });
    expect(await store.openTurn("telegram", "hash-turn-1", "telegram:1")).toEqual({
      contact: created,
      session: null,
      seen: false,
    });
    // The same hash on another channel is someone else.
    expect((await store.openTurn("sms", "hash-turn-1")).contact).toBeNull();

    const now = new Date("2026-11-22T10:00:00.000Z");
    expect(
      await store.commitStep({
        contact: created,
        now,
        contactChanges: { area: "ST6" },
        answers: [],
        inbound: { id: "telegram:1", channel: "telegram" },
        session: { expectedVersion: null, next: state, newId: "session-turn-1" },
      }),
    ).toBe("ok");
    const turn = await store.openTurn("telegram", "hash-turn-1", "telegram:1");
    expect(turn.seen).toBe(true);
    expect(turn.contact).toEqual({ ...created, area: "ST6" });
    expect(turn.session).toEqual({ state, version: 1 });
    expect((await store.openTurn("telegram", "hash-turn-1", "telegram:2")).seen).toBe(false);
  });
});
