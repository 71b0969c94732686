// Key rotation: residents' addresses stay readable across a change of APP_SECRET, conversations
// carry on, and `placevoice keys rotate` moves everything under the new key so the old secret
// can be retired.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { testClock } from "../support/clock.js";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { openNodeServices } from "../../src/runtime-node/services.js";
import { createAddressCrypto } from "../../src/store/address-crypto.js";
import { textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";
import {
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { runCli, runCliInProcess } from "../support/cli.js";
import { tempDir } from "../support/temp-db.js";

const OLD = "old-app-secret-0123456789abcdef-0123456789";
const NEW = "new-app-secret-fedcba9876543210-9876543210";
const scratch = tempDir();
afterAll(() => scratch.cleanup());
const databaseUrl = `file:${path.join(scratch.dir, "rotation.db")}`;

const phone = "+447700900551";
const chat = 55_100_200;

async function sms(h: Harness, body: string): Promise<string> {
  const response = await h.sms(
    inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from: phone, to: TWILIO_NUMBER, body }),
  );
  expect(response.status).toBe(200);
  return response.text();
}

async function telegram(h: Harness, text: string): Promise<string[]> {
  const before = h.telegram.textsTo(chat).length;
  expect((await h.telegramUpdate(textUpdate(chat, text))).status).toBe(200);
  await h.services.dispatcher.drain();
  return h.telegram.textsTo(chat).slice(before);
}

async function keyIds(h: Harness): Promise<string[]> {
  const rows = await h.services.prisma.contact.findMany({ select: { addressEnc: true }, orderBy: { channel: "asc" } });
  return rows.map((r) => h.services.addressCrypto.keyIdOf(r.addressEnc)!);
}

describe("key rotation", () => {
  it("keeps old data readable after rotation and writes new data under the new key", async () => {
    const oldKid = (await createAddressCrypto(OLD)).currentKeyId;
    const newKid = (await createAddressCrypto(NEW)).currentKeyId;
    expect(oldKid).not.toBe(newKid);

    // Under the old key: two residents part-way through the priorities flow.
    let h = await startHarness({ DATABASE_URL: databaseUrl, APP_SECRET: OLD });
    await sms(h, "hi");
    await sms(h, "english");
    expect(await sms(h, "yes")).toMatch(/postcode/i);
    await telegram(h, "hi");
    await telegram(h, "English");
    expect((await telegram(h, "Yes")).join("\n")).toMatch(/postcode/i);
    expect(await keyIds(h)).toEqual([oldKid, oldKid]);
    await h.close();

    // New secret, old one still accepted for reading: the Telegram resident carries on where
    // they were, their reply reaches the same chat, and they are moved to the new key.
    h = await startHarness({ DATABASE_URL: databaseUrl, APP_SECRET: NEW, APP_SECRET_PREVIOUS: OLD });
    const next = await telegram(h, "ST6 1AA");
    expect(next.join("\n")).toMatch(/matters most/i);
    expect(await h.services.prisma.contact.count()).toBe(2);
    const telegramRow = await h.services.prisma.contact.findFirstOrThrow({ where: { channel: "telegram" } });
    expect(h.services.addressCrypto.keyIdOf(telegramRow.addressEnc)).toBe(newKid);
    expect(telegramRow.addressHash).toBe(await h.services.addressCrypto.hash("telegram", String(chat)));
    // The SMS resident has not written since: still under the old key, and still readable.
    const smsRow = await h.services.prisma.contact.findFirstOrThrow({ where: { channel: "sms" } });
    expect(h.services.addressCrypto.keyIdOf(smsRow.addressEnc)).toBe(oldKid);
    expect(await h.services.addressCrypto.decrypt(smsRow.addressEnc)).toBe(phone);
    // A new resident is written under the new key.
    const newcomer = 55_100_999;
    await h.telegramUpdate(textUpdate(newcomer, "hi"));
    const newcomerRow = await h.services.prisma.contact.findFirstOrThrow({
      where: { addressHash: await h.services.addressCrypto.hash("telegram", String(newcomer)) },
    });
    expect(h.services.addressCrypto.keyIdOf(newcomerRow.addressEnc)).toBe(newKid);
    await h.close();

    // The operator re-encrypts the rest.
    const env = { DATABASE_URL: databaseUrl, APP_SECRET: NEW, APP_SECRET_PREVIOUS: OLD, LOG_LEVEL: "error" };
    const dry = await runCliInProcess(["keys", "rotate", "--dry-run"], { env });
    expect(dry.stdout).toContain(`Would re-encrypt 1 address(es) under key ${newKid}; 2 already under it.`);
    const rotated = await runCli(["keys", "rotate"], { env });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toContain(`Re-encrypted 1 address(es) under key ${newKid}; 2 already under it.`);
    const status = await runCliInProcess(["keys", "status"], { env });
    expect(status.stdout).toContain(`${newKid}: 3 address(es) (current)`);
    expect(status.stdout).not.toContain(oldKid);

    // The old secret retired: the SMS resident is still recognised and carries on.
    h = await startHarness({ DATABASE_URL: databaseUrl, APP_SECRET: NEW });
    expect(await keyIds(h)).toEqual([newKid, newKid, newKid]);
    expect(await sms(h, "ST6 1AA")).toMatch(/matters most/i);
    expect(await h.services.prisma.contact.count()).toBe(3);
    const answers = await h.services.store.answersOf(
      (await h.services.prisma.contact.findFirstOrThrow({ where: { channel: "sms" } })).id,
    );
    expect(answers.map((a) => a.questionKey)).toContain("postcode");
    await h.close();
  });

  it("without the old secret, the old rows are reported as unreadable and kept", async () => {
    const dir = tempDir();
    try {
      const url = `file:${path.join(dir.dir, "lost.db")}`;
      const h = await startHarness({ DATABASE_URL: url, APP_SECRET: OLD });
      await telegram(h, "hi");
      await h.close();
      const result = await runCliInProcess(["keys", "rotate"], {
        env: { DATABASE_URL: url, APP_SECRET: NEW, LOG_LEVEL: "error" },
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("1 address(es) are under a key that is not configured");
    } finally {
      dir.cleanup();
    }
  });

  it("replaces a generated secret with --new-secret and keeps the old one for reading", async () => {
    const dir = tempDir();
    try {
      const env = { DATABASE_URL: `file:${path.join(dir.dir, "data", "pv.db")}`, LOG_LEVEL: "silent" };
      const log = createLogger("silent");
      let services = await openNodeServices(loadConfig(env), { log, now: testClock().now });
      await services.conversation.handle({
        channel: "sms",
        address: phone,
        input: { type: "text", text: "hi" },
        messageId: "SM-first",
      });
      const oldKid = services.addressCrypto.currentKeyId;
      await services.close();
      const secretFile = path.join(dir.dir, "data", "app-secret");
      const oldSecret = readFileSync(secretFile, "utf8").trim();

      const result = await runCli(["keys", "rotate", "--new-secret"], { env });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain("Re-encrypted 1 address(es)");
      expect(readFileSync(secretFile, "utf8").trim()).not.toBe(oldSecret);
      expect(readFileSync(`${secretFile}.previous`, "utf8")).toContain(oldSecret);
      expect(existsSync(`${secretFile}.new`)).toBe(false);

      services = await openNodeServices(loadConfig(env), { log, now: testClock().now });
      expect(services.addressCrypto.currentKeyId).not.toBe(oldKid);
      const row = await services.prisma.contact.findFirstOrThrow();
      expect(services.addressCrypto.keyIdOf(row.addressEnc)).toBe(services.addressCrypto.currentKeyId);
      expect(await services.addressCrypto.decrypt(row.addressEnc)).toBe(phone);
      expect(row.addressHash).toBe(await services.addressCrypto.hash("sms", phone));
      await services.close();

      // With APP_SECRET set there is no generated secret to replace: refused with what to do instead.
      const refused = await runCliInProcess(["keys", "rotate", "--new-secret"], { env: { ...env, APP_SECRET: NEW } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("APP_SECRET_PREVIOUS");
    } finally {
      dir.cleanup();
    }
  });
});
