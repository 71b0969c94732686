// Retention: old answers lose their link to the contact and keep free text only redacted;
// old message ids and delivery logs go; running totals stay.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { runRetention } from "../../src/store/retention.js";
import { runCli } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
let services: NodeServices;
let clock = Date.parse("2024-01-08T10:00:00Z");
const env = {
  DATABASE_URL: `file:${path.join(t.dir, "r.db")}`,
  APP_SECRET: "retention-secret-0123456789abcdef0123456",
};

beforeAll(async () => {
  services = await openNodeServices(loadConfig(env), { log: silentLogger, now: () => new Date(clock) });
  const talk = async (address: string, texts: string[]) => {
    for (const [i, text] of texts.entries())
      await services.conversation.handle({
        channel: "sms",
        address,
        messageId: `SM${address.slice(-4)}${i}`.padEnd(34, "0"),
        input: { type: "text", text },
      });
  };
  // An old conversation (two and a half years ago) and a recent one.
  await talk("+447700900101", [
    "hi",
    "english",
    "yes",
    "ST6 1AA",
    "housing",
    "Call Dave on 07700 900555 about the damp flat",
    "skip",
    "no",
  ]);
  clock = Date.parse("2026-06-01T10:00:00Z");
  await talk("+447700900102", ["hi", "english", "yes", "ST6 1AA", "transport", "More buses please", "skip", "no"]);
});
afterAll(async () => {
  await services.close();
  t.cleanup();
});

describe("retention", () => {
  it("reports what it would do, then anonymises old answers and deletes old ids, keeping totals", async () => {
    const now = new Date("2026-07-01T00:00:00Z");
    const totals = await services.prisma.themeCount.aggregate({ _sum: { count: true } });
    const dry = await runRetention(services.prisma, { now, retentionDays: 730, dryRun: true });
    expect(dry).toEqual({
      answersAnonymised: 5,
      freeTextRedacted: 1,
      factsUnlinked: 2,
      inboundIdsDeleted: 8,
      deliveryLogsDeleted: 0,
      relayMessagesDeleted: 0,
      dryRun: true,
    });
    expect(await services.prisma.answer.count({ where: { contactId: null } })).toBe(0);

    const done = await runRetention(services.prisma, { now, retentionDays: 730, dryRun: false });
    expect(done).toEqual({ ...dry, dryRun: false });
    const old = await services.prisma.answer.findMany({ where: { createdAt: { lt: new Date("2025-01-01") } } });
    expect(old).toHaveLength(5);
    expect(old.every((a) => a.contactId === null)).toBe(true);
    const text = old.find((a) => a.questionKey === "biggest_difference")!;
    expect(JSON.parse(text.value)).toBe("Call [name] on [phone] about the damp flat");
    expect(JSON.stringify(old)).not.toContain("07700 900555");
    // The recent conversation is untouched.
    const recent = await services.prisma.answer.findMany({ where: { createdAt: { gte: new Date("2026-01-01") } } });
    expect(recent.every((a) => a.contactId !== null)).toBe(true);
    expect(await services.prisma.inboundMessage.count()).toBe(8);
    expect(await services.prisma.themeCount.aggregate({ _sum: { count: true } })).toEqual(totals);
  });

  it("runs from the command line", async () => {
    const result = await runCli(["retention", "run", "--dry-run"], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Would anonymise 0 answer\(s\) older than 730 days/);
    expect(result.stdout).toContain("Would delete");
  });

  it("deletes old delivery logs, a cancelled broadcast's messages with them, and keeps what is still to send", async () => {
    const contact = await services.prisma.contact.findFirstOrThrow();
    const old = new Date("2026-05-01T00:00:00Z");
    for (const status of ["sent", "dead", "cancelled", "pending"])
      await services.prisma.outboxMessage.create({
        data: {
          id: `retention-${status}`,
          contactId: contact.id,
          channel: "sms",
          payload: "{}",
          status,
          idempotencyKey: `retention-${status}`,
          createdAt: old,
          nextAttemptAt: old,
          kind: "broadcast",
        },
      });
    const done = await runRetention(services.prisma, {
      now: new Date("2026-07-01T00:00:00Z"),
      retentionDays: 730,
      dryRun: false,
    });
    expect(done.deliveryLogsDeleted).toBe(3);
    const left = await services.prisma.outboxMessage.findMany({ where: { id: { startsWith: "retention-" } } });
    expect(left.map((m) => m.status)).toEqual(["pending"]);
  });
});
