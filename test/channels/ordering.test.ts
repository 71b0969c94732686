// Two messages from one resident arriving together are processed one after the other: no
// answer is lost and no step runs twice — within one process (per-contact queue) and across
// two processes sharing the database (session version check).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../support/clock.js";
import { loadConfig } from "../../src/config.js";
import { silentLogger } from "../../src/log.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { inboundSms } from "../support/fake-twilio.js";
import {
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { tempDir } from "../support/temp-db.js";

describe("ordering within one process", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("two SMS sent together are answered in order, both answers kept", async () => {
    const from = "+447700900555";
    const send = (body: string) =>
      h.sms(
        inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
      );
    for (const body of ["hi", "english", "yes"]) expect((await send(body)).status).toBe(200);
    const [first, second] = await Promise.all([send("ST6 1AA"), send("1, 6")]);
    expect(await first!.text()).toContain("Got it: ST6.");
    expect(await second!.text()).toContain("Got it: Housing and Buses and transport.");
    const hash = await h.services.addressCrypto.hash("sms", from);
    const contact = await h.services.prisma.contact.findUniqueOrThrow({
      where: { channel_addressHash: { channel: "sms", addressHash: hash } },
    });
    const answers = await h.services.store.answersOf(contact.id);
    expect(answers.map((a) => [a.questionKey, a.value])).toEqual([
      ["postcode", "ST6"],
      ["priorities", ["housing", "transport"]],
    ]);
  });
});

describe("ordering across two processes sharing one database", () => {
  const dir = tempDir();
  let a: NodeServices;
  let b: NodeServices;
  beforeAll(async () => {
    const config = loadConfig({
      DATABASE_URL: `file:${path.join(dir.dir, "shared.db")}`,
      APP_SECRET: "shared-secret-shared-secret-shared-secret",
    });
    a = await openNodeServices(config, { log: silentLogger, now: testClock().now });
    b = await openNodeServices(config, { log: silentLogger, now: testClock().now });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    dir.cleanup();
  });

  it("racing steps for one contact never lose or double an answer", async () => {
    const address = "+447700900777";
    const via = (s: NodeServices, text: string) =>
      s.conversation.handle({ channel: "sms", address, input: { type: "text", text } });
    await via(a, "hi");
    await via(b, "english");
    await via(a, "yes");
    // The same contact writes through both processes at once: one of them must re-read.
    const results = await Promise.all([via(a, "ST6 1AA"), via(b, "ST3 4HS")]);
    const texts = results.map((r) => r.replies.map((x) => x.text).join(" | "));
    // One was taken as the postcode; the other answered the next question (priorities), which it cannot,
    // so it got a re-prompt. Either way, exactly one postcode was stored and nothing doubled.
    expect(texts.filter((t) => t.startsWith("Got it: ST"))).toHaveLength(1);
    const contact = await a.prisma.contact.findFirstOrThrow({ where: { channel: "sms" } });
    const answers = await a.store.answersOf(contact.id);
    expect(answers.filter((x) => x.questionKey === "postcode")).toHaveLength(1);
    const session = await a.prisma.session.findUniqueOrThrow({ where: { contactId: contact.id } });
    expect(session.nodeId).toBe("priorities");
    expect(session.version).toBe(5);
  });
});
