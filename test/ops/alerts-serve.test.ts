// The running Node server checks the alert rules on its own timer: a dead letter in the outbox
// reaches the operators' URL without anyone asking, once.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { startServer, type RunningServer } from "../../src/node.js";
import { testClock } from "../support/clock.js";
import { tempDir } from "../support/temp-db.js";

const t = tempDir();
const posted: { rule: string; state: string }[] = [];
let hook: Server;
let server: RunningServer;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      posted.push(JSON.parse(body) as { rule: string; state: string });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  const config = loadConfig({
    DATABASE_URL: `file:${path.join(t.dir, "alerts.db")}`,
    APP_SECRET: "alerts-serve-secret-0123456789abcdef0123",
    PORT: "0",
    HOST: "127.0.0.1",
    SERVICES_DIRECTORY: "none",
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`,
  });
  server = await startServer(config, silentLogger, { now: testClock().now, alertCheckMs: 100 });
});
afterAll(async () => {
  await server.close();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  t.cleanup();
});

describe("alerts under `placevoice serve`", () => {
  it("are checked by the server's own timer: a dead letter is posted once", async () => {
    const { prisma, addressCrypto, now } = server.services;
    const address = "+447700900654";
    await prisma.contact.create({
      data: {
        id: "serve-alert-resident",
        channel: "sms",
        addressHash: await addressCrypto.hash("sms", address),
        addressEnc: await addressCrypto.encrypt(address),
        language: "en",
      },
    });
    await prisma.outboxMessage.create({
      data: {
        id: "serve-alert-dead",
        contactId: "serve-alert-resident",
        channel: "sms",
        payload: JSON.stringify({ body: "hello" }),
        status: "dead",
        attempts: 8,
        nextAttemptAt: now(),
        idempotencyKey: "serve-alert:0",
        createdAt: now(),
      },
    });
    const deadline = Date.now() + 10_000;
    while (posted.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // Several more checks run in the next half second; none repeats it.
    await new Promise((r) => setTimeout(r, 500));
    expect(posted).toEqual([expect.objectContaining({ rule: "dead_letters", state: "firing" })]);
  });
});
