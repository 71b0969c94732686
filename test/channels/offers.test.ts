// What a resident could offer, as the platforms send it: on Telegram, the offers flow with
// buttons, then the local groups near them that want it, with the groups' own phone and email;
// over SMS, a directory that marks no group answering kindly. (The SMS conversation with groups
// is in the runtime suite, test/support/channel-suite.ts, run on Node and on the Worker.) The
// sample directory (Stoke-on-Trent) is imported on start; the second harness imports a copy
// that marks no group.
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { segmentInfo } from "../../src/channels/sms/gsm.js";
import { sampleDirectoryDir } from "../../src/runtime-node/paths.js";
import {
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { callbackUpdate, textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";
import { tempDir } from "../support/temp-db.js";

let h: Harness;
let plain: Harness;
const copy = tempDir();
beforeAll(async () => {
  h = await startHarness();
  // The same directory with no group marked: no Volunteering term, no volunteering: section.
  const dir = path.join(copy.dir, "stoke-on-trent");
  cpSync(sampleDirectoryDir, dir, { recursive: true });
  const links = readFileSync(path.join(dir, "service_taxonomy.csv"), "utf8").split("\n");
  writeFileSync(
    path.join(dir, "service_taxonomy.csv"),
    links.filter((l) => !l.includes("need-volunteering")).join("\n"),
  );
  const config = readFileSync(path.join(dir, "placevoice.yaml"), "utf8");
  writeFileSync(path.join(dir, "placevoice.yaml"), config.slice(0, config.indexOf("\nvolunteering:")));
  plain = await startHarness({ SERVICES_DIRECTORY: dir });
});
afterAll(async () => {
  await Promise.all([h?.close(), plain?.close()]);
  copy.cleanup();
});

async function text(harness: Harness, from: string, body: string): Promise<string[]> {
  const response = await harness.sms(
    inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
  );
  expect(response.status).toBe(200);
  return [...(await response.text()).matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) =>
    m[1]!
      .replace(/&apos;/g, "'")
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, "&"),
  );
}

/** The resident's answers to the offers flow over SMS, up to the reply after their postcode. */
async function offerBySms(harness: Harness, phone: string): Promise<string[]> {
  expect((await text(harness, phone, "OFFER")).join("\n")).toContain("Local groups need people like you.");
  expect((await text(harness, phone, "yes")).join("\n")).toContain("What could you offer your area?");
  expect((await text(harness, phone, "2 4")).join("\n")).toContain("In a few words, what could you do?");
  expect((await text(harness, phone, "I could teach cooking and drive")).join("\n")).toContain(
    "Roughly when could you help?",
  );
  expect((await text(harness, phone, "3")).join("\n")).toContain("What's your postcode?");
  return text(harness, phone, "ST6 1AA");
}

describe("offering help, then the groups that want it", () => {
  it("Telegram: /offer, buttons, and the groups in one message with phone and email", async () => {
    const chat = 71_230_001;
    const post = (update: unknown) => h.telegramUpdate(update);
    const last = () => h.telegram.textsTo(chat).at(-1) ?? "";
    await post(textUpdate(chat, "/offer"));
    expect(last()).toContain("Local groups need people like you.");
    await post(textUpdate(chat, "yes"));
    expect(last()).toContain("What could you offer your area?");
    const sends = h.telegram.callsOf("sendMessage").filter((c) => Number(c.params.chat_id) === chat);
    const markup = sends.at(-1)!.params.reply_markup as {
      inline_keyboard: { text: string; callback_data: string }[][];
    };
    const button = (label: string) => markup.inline_keyboard.flat().find((b) => b.text === label)!.callback_data;
    const messageId = 1000 + h.telegram.callsOf("sendMessage").indexOf(sends.at(-1)!);
    await post(callbackUpdate(chat, messageId, button("Looking out for neighbours")));
    await post(callbackUpdate(chat, messageId, button("Done ✔")));
    expect(last()).toContain("In a few words, what could you do?");
    await post(textUpdate(chat, "skip"));
    await post(textUpdate(chat, "weekdays"));
    expect(last()).toContain("What's your postcode?");
    await post(textUpdate(chat, "ST4 2AA"));
    const texts = h.telegram.textsTo(chat);
    const groups = texts.find((t) => t.includes("These local groups would welcome your help"))!;
    expect(groups).toContain(
      "Fenton Community Centre: Good neighbours to visit or phone older people nearby, and helpers at the weekly lunch club.\nTel 01632 960320. Email volunteers@example.org",
    );
    expect(groups).toContain("Hanley Park volunteering");
    expect(groups).not.toContain(String(chat));
    expect(texts.at(-1)).toContain("Send OFFER at any time to tell us more.");
  });

  it("a directory that marks no group thanks the resident kindly instead", async () => {
    const replies = await offerBySms(plain, "+447700900302");
    const all = replies.join("\n\n");
    expect(all).toContain("Thank you. We'll let local groups know people like you are here.");
    expect(all).not.toContain("These local groups");
    expect(all).toContain("Send OFFER at any time to tell us more.");
    for (const sms of replies) expect(segmentInfo(sms).segments).toBe(1);
  });
});
