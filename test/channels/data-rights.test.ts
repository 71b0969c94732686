// A resident's rights, from the chat: see what is held (/mydata, also as a JSON file on
// Telegram) and erase it (/delete, confirmed) — after which nothing links back to them, while
// published aggregates keep their counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inboundSms } from "../support/fake-twilio.js";
import { textUpdate } from "../support/fake-telegram.js";
import {
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

async function post(update: unknown) {
  expect((await h.telegramUpdate(update)).status).toBe(200);
}

/** Every text cell of every table, to look for anything that links back to a person. */
async function scanDatabase(): Promise<string> {
  const tables = (
    await h.services.prisma.$queryRawUnsafe<{ name: string }[]>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
    )
  ).map((t) => t.name);
  const dump: string[] = [];
  for (const table of tables)
    dump.push(
      JSON.stringify(await h.services.prisma.$queryRawUnsafe(`SELECT * FROM "${table}"`), (_k, v) =>
        typeof v === "bigint" ? Number(v) : v,
      ),
    );
  return dump.join("\n");
}

/** The tables whose rows mention a value. */
async function tablesMentioning(value: string): Promise<string[]> {
  const tables = (
    await h.services.prisma.$queryRawUnsafe<{ name: string }[]>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
    )
  ).map((t) => t.name);
  const found: string[] = [];
  for (const table of tables) {
    const rows = JSON.stringify(await h.services.prisma.$queryRawUnsafe(`SELECT * FROM "${table}"`), (_k, v) =>
      typeof v === "bigint" ? Number(v) : v,
    );
    if (rows.includes(value)) found.push(table);
  }
  return found;
}

describe("consent refused", () => {
  it("keeps nothing but the refusal: the notice version and when, shown by MYDATA", async () => {
    const from = "+447700900611";
    const send = async (body: string) =>
      await (
        await h.sms(
          inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
        )
      ).text();
    await send("Hi from ST6 1AA, buses please");
    await send("English");
    expect(await send("No thanks")).toContain("Nothing you've told us has been kept.");
    const hash = await h.services.addressCrypto.hash("sms", from);
    const contact = await h.services.prisma.contact.findUniqueOrThrow({
      where: { channel_addressHash: { channel: "sms", addressHash: hash } },
    });
    expect(contact).toMatchObject({
      consentVersion: null,
      consentAt: null,
      consentRefusedVersion: "2026-11",
      area: null,
      attribution: null,
    });
    expect(contact.consentRefusedAt).toBeInstanceOf(Date);
    // The refusal lives on the contact row and nowhere else: no session, answers, facts or messages.
    expect(await tablesMentioning(contact.id)).toEqual(["contacts"]);
    expect(await tablesMentioning("buses please")).toEqual([]);
    expect(await tablesMentioning("ST6 1AA")).toEqual([]);
    // MYDATA says so.
    const shown = await send("MYDATA");
    expect(shown).toContain("Privacy notice: you said no to version 2026-11");
    expect(shown).toContain("Area (first part of your postcode only): -");

    // On Telegram too.
    const chat = 8811;
    for (const text of ["/start", "english"]) await post(textUpdate(chat, text));
    await post(textUpdate(chat, "no"));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("Nothing you've told us has been kept.");
    const tgHash = await h.services.addressCrypto.hash("telegram", String(chat));
    const tg = await h.services.prisma.contact.findUniqueOrThrow({
      where: { channel_addressHash: { channel: "telegram", addressHash: tgHash } },
    });
    expect(tg).toMatchObject({ consentVersion: null, consentRefusedVersion: "2026-11", area: null });
    expect(await h.services.prisma.session.count({ where: { contactId: tg.id } })).toBe(0);
    expect(await h.services.prisma.answer.count({ where: { contactId: tg.id } })).toBe(0);
  });
});

describe("MYDATA and DELETE", () => {
  it("shows exactly what is held, as text and as a JSON file, then erases it all on confirmation", async () => {
    const chat = 8801;
    for (const text of ["/start", "english", "yes", "ST6 1AA", "housing, transport", "More buses at night", "4", "no"])
      await post(textUpdate(chat, text));
    const hash = await h.services.addressCrypto.hash("telegram", String(chat));
    const contact = await h.services.prisma.contact.findUniqueOrThrow({
      where: { channel_addressHash: { channel: "telegram", addressHash: hash } },
    });

    await post(textUpdate(chat, "/mydata"));
    const texts = h.telegram.textsTo(chat);
    const shown = texts.at(-1)!;
    expect(shown).toContain("Here is everything PlaceVoice has about you:");
    expect(shown).toContain("Area (first part of your postcode only): ST6");
    // In words a resident reads, not stored keys; dates as people write them.
    expect(shown).toContain("- What matters most: Housing, Buses and transport (5 January 2026)");
    expect(shown).toContain("- What would make the biggest difference: More buses at night");
    expect(shown).toContain("- Age group: 35-49");
    expect(shown).toContain("Messages: on");
    expect(shown).not.toMatch(/priorities:|age_35_49|\d{4}-\d\d-\d\d\)/);
    expect(shown).toContain("Reply DELETE to delete all of this.");
    const file = h.telegram.callsOf("sendDocument").at(-1)!;
    expect(Number(file.params.chat_id)).toBe(chat);
    const exported = JSON.parse((file.params.document as { content: string }).content);
    expect(exported).toMatchObject({
      channel: "telegram",
      language: "en",
      area: "ST6",
      consent: { noticeVersion: "2026-11" },
    });
    expect(exported.answers.map((a: { question: string }) => a.question)).toEqual([
      "postcode",
      "priorities",
      "biggest_difference",
      "age_band",
      "wants_help",
    ]);
    expect(JSON.stringify(exported)).not.toContain(String(chat));

    const totalsBefore = await h.services.prisma.themeCount.aggregate({ _sum: { count: true } });
    const respondentsBefore = await h.services.prisma.respondentCount.aggregate({ _sum: { count: true } });

    await post(textUpdate(chat, "/delete"));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("To go ahead, reply DELETE YES.");
    expect(await h.services.prisma.contact.count({ where: { id: contact.id } })).toBe(1);
    await post(textUpdate(chat, "DELETE YES"));
    expect(h.telegram.textsTo(chat).at(-1)).toBe(
      "Done. We have deleted everything we had about you. If you message us again, you will start from the beginning.",
    );

    // Nothing links back: not the contact id, the address hash, the encrypted address, the answers.
    const dump = await scanDatabase();
    for (const trace of [contact.id, contact.addressHash, contact.addressEnc, "More buses at night", String(chat)])
      expect(dump).not.toContain(trace);
    expect(await h.services.prisma.session.count({ where: { contactId: contact.id } })).toBe(0);
    expect(await h.services.prisma.answer.count({ where: { contactId: contact.id } })).toBe(0);
    // Published aggregates keep their counts.
    expect(await h.services.prisma.themeCount.aggregate({ _sum: { count: true } })).toEqual(totalsBefore);
    expect(await h.services.prisma.respondentCount.aggregate({ _sum: { count: true } })).toEqual(respondentsBefore);
    // The erasure was logged without personal data.
    expect(h.logs.some((l) => l.includes("contact erased at their request channel=telegram"))).toBe(true);
    expect(h.logs.join("\n")).not.toContain(contact.id);

    // Coming back starts afresh.
    await post(textUpdate(chat, "hello"));
    expect(h.telegram.textsTo(chat).at(-1)).toContain("Hi, this is PlaceVoice");
  });

  it("works over SMS, in Welsh too, even after STOP", async () => {
    const from = "+447700900888";
    const send = async (body: string) =>
      await (
        await h.sms(
          inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
        )
      ).text();
    for (const body of ["hi", "cymraeg", "ie", "ST3 4HS"]) await send(body);
    await send("STOP");
    const data = await send("MYDATA");
    expect(data).toContain("PlaceVoice: dyma bopeth sydd gennym ni amdanoch chi:");
    expect(data).toContain("ST3");
    expect(await send("DILEU")).toContain("I fwrw ymlaen, atebwch DILEU IE.");
    expect(await send("dileu ie")).toContain("Rydyn ni wedi dileu popeth oedd gennym amdanoch chi.");
    const hash = await h.services.addressCrypto.hash("sms", from);
    expect(await h.services.prisma.contact.count({ where: { addressHash: hash } })).toBe(0);
  });
});
