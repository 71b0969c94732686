// The privacy notice, and the promise that no address, token or message text reaches the logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callbackUpdate, textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";
import {
  SMS_URL,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    LOG_LEVEL: "debug",
    PRIVACY_CONTACT: "dpo@stoke.example.org, Civic Centre, Stoke-on-Trent",
    RETENTION_DAYS: "730",
  });
});
afterAll(async () => {
  await h.close();
});

describe("privacy notice", () => {
  it("is generated from configuration, in English and Welsh, with its version", async () => {
    const en = await (await h.app.request("/privacy")).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain("PlaceVoice · version 2026-11");
    expect(en).toContain("After 2 years, your answers are kept only as anonymous totals");
    expect(en).toContain("Numbers under 10 are never shown");
    expect(en).toContain("dpo@stoke.example.org, Civic Centre, Stoke-on-Trent");
    expect(en).toContain("<strong>MYDATA</strong>");
    const cy = await (await h.app.request("/privacy?lang=cy")).text();
    expect(cy).toContain('<html lang="cy">');
    expect(cy).toContain("Hysbysiad preifatrwydd");
    expect(cy).toContain("<strong>DILEU</strong>");
    expect((await h.app.request("/preifatrwydd")).headers.get("Location")).toBe("/privacy?lang=cy");
  });

  it("says who is responsible, on what basis, who carries the messages, and how to complain, in both languages alike", async () => {
    const en = await (await h.app.request("/privacy")).text();
    const cy = await (await h.app.request("/privacy?lang=cy")).text();
    expect(en).toContain("PlaceVoice runs this service and is responsible for your information (the data controller).");
    expect(en).toContain("UK GDPR Article 6(1)(a)");
    expect(en).toContain("<strong>Telegram</strong>: carries messages");
    expect(en).toContain("<strong>Twilio</strong>: carries text messages (SMS)");
    expect(en).toContain("Information Commissioner's Office (ICO)");
    expect(en).toContain("with only the area and the month");
    expect(cy).toContain("sy'n rhedeg y gwasanaeth hwn ac sy'n gyfrifol am eich gwybodaeth (y rheolydd data).");
    expect(cy).toContain("Erthygl 6(1)(a) GDPR y DU");
    expect(cy).toContain("<strong>Telegram</strong>: yn cario negeseuon");
    expect(cy).toContain("Swyddfa'r Comisiynydd Gwybodaeth (ICO)");
    expect(cy).toContain("Ar ôl 2 flynedd");
    expect(cy).toContain("<strong>FY NATA</strong>");
    expect(cy).toContain("<strong>DECHRAU</strong>");
    expect(cy).toContain("ar ôl 30 diwrnod");
    // The same sections in each language: no sentence group dropped in one.
    const headings = (html: string) => (html.match(/<h2>/g) ?? []).length;
    expect(headings(cy)).toBe(headings(en));
    expect((cy.match(/<li>/g) ?? []).length).toBe((en.match(/<li>/g) ?? []).length);
  });
});

describe("logs", () => {
  it("never contain an address, a token or what a resident wrote, at debug level, over a whole conversation", async () => {
    const phone = "+447700900777";
    const chat = 77_001_234;
    const said = [
      "hi",
      "english",
      "yes",
      "ST6 1AA",
      "housing",
      "My neighbour Sarah Jones at 12 Hanley Road keeps dumping rubbish",
      "skip",
      "yes",
      "3",
      "MYDATA",
      "STOP",
      "START",
      "HELP",
    ];
    for (const body of said) {
      await h.sms(
        inboundSms({
          url: SMS_URL,
          authToken: TWILIO_TOKEN,
          accountSid: TWILIO_SID,
          from: phone,
          to: TWILIO_NUMBER,
          body,
        }),
      );
      await h.telegramUpdate(textUpdate(chat, body));
    }
    await h.telegramUpdate(callbackUpdate(chat, 1, "999:o:en"));
    await h.telegramUpdate(textUpdate(chat, "DELETE YES"));
    await h.sms(
      inboundSms({
        url: SMS_URL,
        authToken: TWILIO_TOKEN,
        accountSid: TWILIO_SID,
        from: phone,
        to: TWILIO_NUMBER,
        body: "DELETE YES",
      }),
    );
    const logs = h.logs.join("\n");
    // Stops, erasures and retries are logged; what was said never is.
    expect(h.logs.filter((l) => l.includes("contact stopped") || l.includes("erased")).length).toBeGreaterThanOrEqual(
      4,
    );
    const secrets = [
      phone,
      phone.slice(1),
      "7700900777",
      String(chat),
      TELEGRAM_TOKEN,
      TELEGRAM_SECRET,
      TWILIO_TOKEN,
      "Sarah",
      "Hanley Road",
      "ST6 1AA",
      "dumping rubbish",
    ];
    for (const secret of secrets) expect(logs, `logs contain ${secret}`).not.toContain(secret);
  });
});
