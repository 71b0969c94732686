// The figures the capacity model in docs/workers.md rests on, measured on the statements the
// Worker runs (the outbox's, over the SQL port: the same SQL on D1 and on SQLite), without
// wrangler: how many D1 queries the Cron Trigger's drain spends a message, and so how many
// messages one cron run can send within D1's queries-per-invocation limit (1,000 on Workers Paid,
// 50 on Free: developers.cloudflare.com/d1/platform/limits/), and what becomes of the rest.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OutboxDispatcher, type ChannelSender } from "../../src/channels/outbox-dispatcher.js";
import type { PrismaClient } from "../../src/generated/prisma/client.js";
import { createLogger } from "../../src/log.js";
import { OUTBOX_MESSAGES_PER_CRON_RUN } from "../../src/runtime/chores.js";
import { migrationsDir, packageRoot } from "../../src/runtime-node/paths.js";
import { createAddressCrypto } from "../../src/store/address-crypto.js";
import { SqlOutboxStore } from "../../src/store/outbox.js";
import type { SqlPort } from "../../src/store/sql-port.js";
import { SqliteConnection, sqlitePort } from "../../src/store/sqlite-direct.js";
import { migrateSqliteFile } from "../../src/store/sqlite-file.js";
import { sqlDate } from "../../src/store/step-statements.js";
import { testClock } from "../support/clock.js";
import { tempDir } from "../support/temp-db.js";

const scratch = tempDir("placevoice-capacity-");
afterAll(() => scratch.cleanup());
let files = 0;

/** A port that counts queries (a D1 batch is one query) and, like D1, refuses those over a budget per invocation. */
function budgetedPort(port: SqlPort) {
  const counter = { queries: 0, budget: Number.POSITIVE_INFINITY };
  const spend = () => {
    if (++counter.queries > counter.budget) throw new Error("Too many API requests by single worker invocation");
  };
  const counted: SqlPort = {
    get: (sql, ...params) => (spend(), port.get(sql, ...params)),
    all: (sql, ...params) => (spend(), port.all(sql, ...params)),
    batch: (statements) => (spend(), port.batch(statements)),
    close: () => port.close(),
  };
  return { port: counted, counter };
}

/** A database with `count` broadcast messages due, each to its own Telegram chat. */
async function outboxWith(count: number) {
  const file = path.join(scratch.dir, `capacity-${++files}.db`);
  migrateSqliteFile(file, migrationsDir);
  const connection = new SqliteConnection(file);
  const crypto = await createAddressCrypto("capacity-model-app-secret-0123456789abcdef");
  const statements = [];
  const past = sqlDate(new Date("2026-12-01T09:00:00Z"));
  for (let i = 0; i < count; i++) {
    const chat = String(80_000_000 + i);
    statements.push({
      sql: `INSERT INTO "contacts" ("id", "channel", "address_hash", "address_enc", "updated_at") VALUES (?, 'telegram', ?, ?, ?)`,
      params: [`c${i}`, await crypto.hash("telegram", chat), await crypto.encrypt(chat), past],
    });
    statements.push({
      sql: `INSERT INTO "outbox" ("id", "contact_id", "channel", "payload", "next_attempt_at", "idempotency_key", "created_at", "kind") VALUES (?, ?, 'telegram', ?, ?, ?, ?, 'broadcast')`,
      params: [
        `m${i}`,
        `c${i}`,
        JSON.stringify({ text: "Your council has news." }),
        past,
        `broadcast:capacity:${i}`,
        past,
      ],
    });
  }
  const setup = sqlitePort(connection);
  await setup.batch(statements);
  const { port, counter } = budgetedPort(setup);
  const sent: string[] = [];
  const telegram: ChannelSender = {
    channel: "telegram",
    // Pacing is not what is measured here.
    limits: { perSecond: 100_000 },
    send: async (_payload, address) => {
      sent.push(address);
      return { ok: true, providerId: `tg-${sent.length}` };
    },
  };
  const clock = testClock("2026-12-01T10:00:00Z");
  const dispatcher = new OutboxDispatcher({
    // The drain reads and writes through the SQL port only; Prisma is for the operator's views.
    store: new SqlOutboxStore(port, undefined as unknown as PrismaClient),
    senders: [telegram],
    addressCrypto: crypto,
    log: createLogger("silent"),
    maxAttempts: 8,
    now: clock.now,
  });
  const statusCounts = () =>
    setup.all<{ status: string; n: number }>(`SELECT "status", count(*) AS "n" FROM "outbox" GROUP BY "status"`);
  return { dispatcher, counter, sent, clock, statusCounts, close: () => connection.close() };
}

describe("the Cron Trigger's drain, against D1's queries-per-invocation limit", () => {
  it("spends two queries a message (the recipient, the mark) and one a claim of up to 200", async () => {
    const run = await outboxWith(450);
    try {
      const report = await run.dispatcher.drain();
      expect(report.sent).toBe(450);
      expect(run.sent).toHaveLength(450);
      // Three claims that found 200, 200 and 50 messages, and one that found none.
      expect(run.counter.queries).toBe(2 * 450 + 4);
    } finally {
      run.close();
    }
  });

  it("sends about 500 messages a run on Workers Paid; the rest wait for a later run, and some in flight go twice", async () => {
    const run = await outboxWith(1_200);
    try {
      run.counter.budget = 1_000;
      await expect(run.dispatcher.drain()).rejects.toThrow(/Too many API requests/);
      const first = run.sent.length;
      console.log(`one cron run within 1,000 D1 queries: ${first} of 1,200 messages sent`);
      expect(first).toBeGreaterThanOrEqual(480);
      expect(first).toBeLessThanOrEqual(500 + 16);
      // The claimed rest are held by their lease (a minute), then claimed again by a later run.
      const held = (await run.statusCounts()).find((r) => r.status === "sending")?.n ?? 0;
      expect(held).toBeGreaterThan(0);
      for (let minute = 0; minute < 4 && (await run.statusCounts()).some((r) => r.status !== "sent"); minute++) {
        run.clock.advance(61_000);
        run.counter.queries = 0;
        await run.dispatcher.drain().catch(() => undefined);
      }
      expect(await run.statusCounts()).toEqual([{ status: "sent", n: 1_200 }]);
      // Messages whose send went out but whose mark hit the limit are sent again after the lease:
      // at most the dispatcher's concurrency (16) a cut-off run.
      const twice = run.sent.length - new Set(run.sent).size;
      console.log(`sent twice after a run was cut off: ${twice}`);
      expect(twice).toBeLessThanOrEqual(16 * 3);
    } finally {
      run.close();
    }
  });
});

describe("the Worker's Cron Trigger run, capped to stay within the limit", () => {
  it(`sends ${OUTBOX_MESSAGES_PER_CRON_RUN} messages a run within 1,000 D1 queries, the rest on later runs, none twice`, async () => {
    const run = await outboxWith(1_200);
    try {
      run.counter.budget = 1_000;
      const runs: number[] = [];
      const queries: number[] = [];
      for (let minute = 0; minute < 5 && (await run.statusCounts()).some((r) => r.status !== "sent"); minute++) {
        run.counter.queries = 0;
        const report = await run.dispatcher.drain(200, OUTBOX_MESSAGES_PER_CRON_RUN);
        runs.push(report.sent);
        queries.push(run.counter.queries);
        run.clock.advance(60_000);
      }
      // Each run ends by itself, within the budget, with room left for the run's other chores.
      expect(runs).toEqual([400, 400, 400]);
      expect(Math.max(...queries)).toBeLessThanOrEqual(2 * OUTBOX_MESSAGES_PER_CRON_RUN + 3);
      expect(await run.statusCounts()).toEqual([{ status: "sent", n: 1_200 }]);
      expect(run.sent.length).toBe(new Set(run.sent).size);
      expect(run.sent).toHaveLength(1_200);
    } finally {
      run.close();
    }
  });
});

describe("the capacity model in docs/workers.md", () => {
  const doc = readFileSync(path.join(packageRoot, "docs", "workers.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Capacity: one council's peak"), doc.indexOf("## Backups on D1"));

  it("gives every limit it uses a source: a linked page, or the test or command that measured it", () => {
    const rows = section
      .split("\n")
      .filter((line) => line.startsWith("| ") && !line.startsWith("| limit |"))
      .map((line) =>
        line
          .slice(1, -1)
          .split("|")
          .map((cell) => cell.trim()),
      );
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const row of rows) {
      const source = row[2]!;
      expect(source, row[0]).toMatch(/\]\(https:\/\/[^)]+\)|`test\/[^`]+`|`placevoice [^`]+`/);
    }
  });

  it("states what this test measures: two queries a message, about 500 messages a cron run", () => {
    expect(section).toContain("the cron's drain spends 2 a message (the recipient, the mark) and 1 a claim of 200");
    expect(section).toContain("one cron run sends at most about 500 messages");
    expect(section).toContain("`test/worker/capacity-model.test.ts`");
  });
});
