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
    expect(en).toContain("After 2 years your answers are kept only as anonymous totals");
    expect(en).toContain("never a number smaller than 10");
    expect(en).toContain("dpo@stoke.example.org, Civic Centre, Stoke-on-Trent");
    expect(en).toContain("<strong>MYDATA</strong>");
    const cy = await (await h.app.request("/privacy?lang=cy")).text();
    expect(cy).toContain('<html lang="cy">');
    expect(cy).toContain("Hysbysiad preifatrwydd");
    expect(cy).toContain("<strong>DILEU</strong>");
    expect((await h.app.request("/preifatrwydd")).headers.get("Location")).toBe("/privacy?lang=cy");
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
