// Full conversations over SMS: form posts signed with twilio's own signature function, as
// Twilio sends them; replies read from the TwiML response and from a fake Twilio REST API.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { segmentInfo } from "../../src/channels/sms/gsm.js";
import { inboundSms, statusCallback, twimlMessages } from "../support/fake-twilio.js";
import {
  PUBLIC_URL,
  SMS_URL,
  STATUS_URL,
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
beforeEach(() => h.twilio.reset());

let phoneCounter = 100;
const newPhone = () => `+4477009${String(++phoneCounter).padStart(5, "0")}`;

/** Sends one SMS from `from` and returns the reply messages in the TwiML. */
async function text(from: string, body: string, messageSid?: string): Promise<string[]> {
  const response = await h.sms(
    inboundSms({
      url: SMS_URL,
      authToken: TWILIO_TOKEN,
      accountSid: TWILIO_SID,
      from,
      to: TWILIO_NUMBER,
      body,
      ...(messageSid ? { messageSid } : {}),
    }),
  );
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toContain("text/xml");
  const xml = await response.text();
  expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response(\/>|>)/);
  return twimlMessages(xml);
}

async function contactOf(phone: string) {
  const hash = await h.services.addressCrypto.hash("sms", phone);
  const contact = await h.services.prisma.contact.findUnique({
    where: { channel_addressHash: { channel: "sms", addressHash: hash } },
  });
  const answers = contact ? await h.services.store.answersOf(contact.id) : [];
  return { contact, answers: Object.fromEntries(answers.map((a) => [a.questionKey, a.value])) };
}

describe("SMS conversation", () => {
  it("runs the priorities flow with numbered replies, typed words and a misspelling", async () => {
    const phone = newPhone();
    const first = await text(phone, "Hi");
    expect(first).toHaveLength(1);
    expect(first[0]).toBe(
      "Hi, this is PlaceVoice. We're asking people what matters most where they live. English or Cymraeg?\n\n1. English\n2. Cymraeg\n\nReply with a number.",
    );
    expect((await text(phone, "1"))[0]).toMatch(
      /^It's 7 quick questions\..*Privacy notice: https:\/\/placevoice\.example\.org\/privacy .*Is that OK\?\n\nReply YES or NO\.$/s,
    );
    expect((await text(phone, "Yes!"))[0]).toContain("What's your postcode?");
    const priorities = await text(phone, "st6 1aa");
    expect(priorities).toHaveLength(1);
    expect(priorities[0]).toMatch(
      /^Got it: ST6\.\n\nWhat matters most to you in your area\? Pick up to 3\.\n\n1\. Housing\n2\. Cost of living\n/,
    );
    expect(priorities[0]).toContain("12. Care and support\n\nReply with up to 3 numbers, for example 1,3.");
    expect((await text(phone, "2 and 5, transprot"))[0]).toMatch(
      /^Got it: Cost of living, Feeling safe and Buses and transport\.\n\nWhat one thing/,
    );
    expect((await text(phone, "A proper bus to Hanley after 6pm"))[0]).toContain("which age group are you in?");
    expect((await text(phone, "3"))[0]).toMatch(
      /^Got it: 25-34\.\n\nThank you\..*\n\nWould you like details of local services/s,
    );
    // Signposting over SMS: services that fit, within the segment budget, then what next.
    const offer = await text(phone, "yes please");
    expect(offer.join("\n")).toMatch(/^Here are some local services that could help:/);
    expect(offer.join("\n")).toContain("Tel 01632 9602");
    expect(offer.at(-1)).toMatch(
      /Would you like anything else\?\n\n1\. More like this\n2\. A different kind of help\n3\. That's all, thanks\n\nReply with a number\.$/,
    );
    for (const message of offer) expect(segmentInfo(message).segments).toBeLessThanOrEqual(3);
    expect((await text(phone, "3"))[0]).toMatch(
      /^Can we message you later to say what changed because of what people told us\?.*Reply YES or NO/s,
    );
    expect((await text(phone, "yes"))[0]).toMatch(/is there anything you could offer your area.*Reply YES or NO/s);
    expect(await text(phone, "no")).toEqual([
      "Thanks again. Message HELP to find out more about this service, or STOP to stop messages.",
    ]);
    const { contact, answers } = await contactOf(phone);
    expect(answers).toEqual({
      postcode: "ST6",
      priorities: ["cost_of_living", "safety", "transport"],
      biggest_difference: "A proper bus to Hanley after 6pm",
      age_band: "age_25_34",
      wants_help: true,
      hear_back: true,
      could_offer: false,
    });
    expect(contact).toMatchObject({ area: "ST6", status: "active" });
    // The phone number is not stored anywhere in clear.
    const rows = JSON.stringify(await h.services.prisma.contact.findMany());
    expect(rows).not.toContain(phone.slice(1));
  });

  it("keeps every reply within 3 segments and sends GSM-7 where the text allows", async () => {
    const phone = newPhone();
    const replies = [
      ...(await text(phone, "hello")),
      ...(await text(phone, "english")),
      ...(await text(phone, "yes")),
      ...(await text(phone, "ST4 1AA")),
    ];
    for (const reply of replies) {
      const info = segmentInfo(reply);
      expect(info.segments, reply).toBeLessThanOrEqual(3);
      expect(info.encoding, reply).toBe("GSM-7");
    }
  });

  it("answers an urgent need with crisis services first, then carries on", async () => {
    const phone = newPhone();
    for (const body of ["hi", "english", "yes", "ST6 1AA"]) await text(phone, body);
    const reply = (await text(phone, "nowhere to sleep tonight, got kicked out tonight")).join("\n\n");
    expect(reply).toMatch(/^If you've nowhere safe to sleep tonight, get help now:/);
    expect(reply).toContain("Out-of-hours homelessness line");
    // The crisis services come before the re-prompt of the question that was waiting.
    expect(reply.indexOf("Out-of-hours homelessness line")).toBeLessThan(
      reply.indexOf("What matters most to you in your area?"),
    );
  });

  it("JOIN <CODE> attributes the contact and starts the entry flow", async () => {
    const phone = newPhone();
    const reply = await text(phone, "join st6bus");
    expect(reply[0]).toContain("Hi, this is PlaceVoice");
    expect((await contactOf(phone)).contact?.attribution).toBe("ST6BUS");
    // A later code is not a re-attribution.
    await text(phone, "JOIN OTHER");
    const { contact } = await contactOf(phone);
    expect(contact?.attribution).toBe("ST6BUS");
    // …but counted as a touch for the campaign.
    expect(
      await h.services.prisma.referralTouch.findMany({ where: { contactId: contact!.id }, select: { code: true } }),
    ).toEqual([{ code: "OTHER" }]);
    // An unknown code attributes nobody.
    const stranger = newPhone();
    await text(stranger, "JOIN NOSUCH");
    expect((await contactOf(stranger)).contact?.attribution).toBeNull();
  });

  it("answers a picture with no text by saying it can only read text", async () => {
    const phone = newPhone();
    await text(phone, "hi");
    const response = await h.sms(
      inboundSms({
        url: SMS_URL,
        authToken: TWILIO_TOKEN,
        accountSid: TWILIO_SID,
        from: phone,
        to: TWILIO_NUMBER,
        body: "",
        numMedia: 1,
      }),
    );
    expect(await response.text()).toContain("Sorry, I can only read text here.");
  });
});

describe("SMS opt-out", () => {
  it.each(["STOP", "stop", "Stop.", " STOPALL ", "unsubscribe", "Cancel", "END", "quit!", "revoke", "OPTOUT"])(
    "%j stops the contact mid-flow, then silence until START",
    async (word) => {
      const phone = newPhone();
      await text(phone, "hi");
      await text(phone, "english");
      const confirmation = await text(phone, word);
      expect(confirmation).toEqual([
        "You will not get any more messages from PlaceVoice. Reply START to get messages again.",
      ]);
      expect(await text(phone, "yes")).toHaveLength(2 - 1); // YES opts back in
      expect((await contactOf(phone)).contact?.status).toBe("active");
    },
  );

  it("stays silent after STOP (nothing stored) and START resumes where it was", async () => {
    const phone = newPhone();
    await text(phone, "hi");
    await text(phone, "english");
    await text(phone, "yes");
    await text(phone, "STOP");
    expect(await text(phone, "ST6 1AA")).toEqual([]);
    expect(await text(phone, "what?")).toEqual([]);
    expect((await contactOf(phone)).answers).toEqual({});
    const back = await text(phone, "start");
    expect(back[0]).toMatch(
      /^Welcome back! You will get messages from PlaceVoice again\. Reply STOP at any time to stop them\.\n\nWhat's your postcode\?/,
    );
  });

  it("HELP answers in any state, even after STOP", async () => {
    const phone = newPhone();
    await text(phone, "hi");
    const help = await text(phone, "HELP");
    expect(help.join("\n")).toContain("asks people what matters most where they live");
    expect(help.join("\n")).toContain("Let's carry on where we were:");
    await text(phone, "stop");
    expect((await text(phone, "info"))[0]).toContain("you have stopped our messages");
  });

  it("stays quiet on STOP when Twilio Advanced Opt-Out already confirms it", async () => {
    const quiet = await startHarness({ TWILIO_ADVANCED_OPT_OUT: "true" });
    try {
      const phone = newPhone();
      const send = async (body: string) =>
        await (
          await quiet.sms(
            inboundSms({
              url: SMS_URL,
              authToken: TWILIO_TOKEN,
              accountSid: TWILIO_SID,
              from: phone,
              to: TWILIO_NUMBER,
              body,
            }),
          )
        ).text();
      await send("hi");
      expect(await send("STOP")).not.toContain("<Message>");
    } finally {
      await quiet.close();
    }
  });
});

describe("SMS webhook security and idempotency", () => {
  it("refuses unsigned, forged and wrongly-addressed requests with 403 and stores nothing", async () => {
    const before = await h.services.prisma.contact.count();
    const good = inboundSms({
      url: SMS_URL,
      authToken: TWILIO_TOKEN,
      accountSid: TWILIO_SID,
      from: newPhone(),
      to: TWILIO_NUMBER,
      body: "hi",
    });
    const headers = good.headers as Record<string, string>;
    const unsigned = { ...good, headers: { "Content-Type": headers["Content-Type"]! } };
    const forged = inboundSms({
      url: SMS_URL,
      authToken: "not-the-token",
      accountSid: TWILIO_SID,
      from: newPhone(),
      to: TWILIO_NUMBER,
      body: "hi",
    });
    const otherUrl = inboundSms({
      url: `${PUBLIC_URL}/elsewhere`,
      authToken: TWILIO_TOKEN,
      accountSid: TWILIO_SID,
      from: newPhone(),
      to: TWILIO_NUMBER,
      body: "hi",
    });
    const tampered = { ...good, body: String(good.body).replace("Body=hi", "Body=STOP") };
    for (const init of [unsigned, forged, otherUrl, tampered]) {
      const response = await h.sms(init);
      expect(response.status).toBe(403);
    }
    expect(await h.services.prisma.contact.count()).toBe(before);
  });

  it("processes a MessageSid delivered three times exactly once", async () => {
    const phone = newPhone();
    await text(phone, "hi");
    await text(phone, "english");
    await text(phone, "yes");
    const sid = `SM${"c".repeat(32)}`;
    const replies = await Promise.all([
      text(phone, "ST6 1AA", sid),
      text(phone, "ST6 1AA", sid),
      text(phone, "ST6 1AA", sid),
    ]);
    expect(replies.filter((r) => r.length > 0)).toHaveLength(1);
    const { contact } = await contactOf(phone);
    const stored = await h.services.prisma.answer.findMany({
      where: { contactId: contact!.id, questionKey: "postcode" },
    });
    expect(stored).toHaveLength(1);
  });
});

describe("SMS delivery status callbacks", () => {
  it("move delivery status only forward, and 21610 stops the contact", async () => {
    const phone = newPhone();
    await text(phone, "hi");
    const { contact } = await contactOf(phone);
    // A proactive message through the outbox, sent by the REST API.
    await h.services.prisma.outboxMessage.create({
      data: {
        id: "ob-status-1",
        contactId: contact!.id,
        channel: "sms",
        payload: JSON.stringify({ body: "Reminder: tell us what matters" }),
        idempotencyKey: "status-test-1",
        kind: "broadcast",
        nextAttemptAt: h.services.now(),
      },
    });
    const report = await h.services.dispatcher.runOnce();
    expect(report.sent).toBe(1);
    expect(h.twilio.sent).toHaveLength(1);
    expect(h.twilio.sent[0]).toMatchObject({
      to: phone,
      from: TWILIO_NUMBER,
      body: "Reminder: tell us what matters",
      statusCallback: STATUS_URL,
      idempotencyToken: "status-test-1",
    });
    const sid = h.twilio.sent[0]!.sid;
    const status = async (s: string, errorCode?: string) =>
      (
        await h.sms(
          statusCallback({
            url: STATUS_URL,
            authToken: TWILIO_TOKEN,
            accountSid: TWILIO_SID,
            messageSid: sid,
            status: s,
            ...(errorCode ? { errorCode } : {}),
          }),
          "/webhooks/twilio/status",
        )
      ).status;
    expect(await status("sent")).toBe(204);
    expect(await status("delivered")).toBe(204);
    expect(await status("sent")).toBe(204); // late and out of order
    expect((await h.services.prisma.outboxMessage.findUnique({ where: { id: "ob-status-1" } }))?.deliveryStatus).toBe(
      "delivered",
    );
    expect(await status("failed", "21610")).toBe(204);
    expect((await contactOf(phone)).contact?.status).toBe("stopped");
  });
});
