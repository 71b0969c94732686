// The end-to-end conversation tests that every runtime must pass: Node (the embedded SQLite
// default) and the Cloudflare Worker (wrangler dev, local D1). Webhooks are built exactly as
// Telegram and Twilio send them; replies are read at the local fakes and in the TwiML; stored
// answers are read from the runtime's own database.
import { describe, expect, it } from "vitest";
import { callbackUpdate, textUpdate, type FakeTelegram } from "./fake-telegram.js";
import { inboundSms, twimlMessages, type FakeTwilio } from "./fake-twilio.js";

export interface ChannelTarget {
  readonly telegram: FakeTelegram;
  readonly twilio: FakeTwilio;
  readonly twilioAuthToken: string;
  readonly twilioAccountSid: string;
  readonly twilioNumber: string;
  readonly telegramSecret: string;
  /** The public URL Twilio signs SMS webhooks for. */
  readonly smsUrl: string;
  request(path: string, init?: RequestInit): Promise<Response>;
  /** Stored answers of one resident, in the order given: [question, value]. */
  answers(channel: string, address: string): Promise<[string, unknown][]>;
  contact(
    channel: string,
    address: string,
  ): Promise<{ area: string | null; attribution: string | null; status: string } | null>;
  /** How many times an inbound message id was recorded. */
  inboundRecorded(id: string): Promise<number>;
  /** Sends what the outbox holds now (Node: the dispatcher; Worker: the Cron Trigger). */
  runOutbox(): Promise<void>;
  /** A partner API token for these areas; with `groupId`, the account of that local group (relays). */
  createPartner(name: string, areas: string[], groupId?: string): Promise<string>;
}

export function channelSuite(runtime: string, target: () => ChannelTarget): void {
  const telegram = async (update: unknown, secret?: string | null) => {
    const t = target();
    return t.request("/webhooks/telegram", {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(secret === null ? {} : { "X-Telegram-Bot-Api-Secret-Token": secret ?? t.telegramSecret }),
      },
      body: JSON.stringify(update),
    });
  };
  const smsInit = (from: string, body: string, messageSid?: string) => {
    const t = target();
    return inboundSms({
      url: t.smsUrl,
      authToken: t.twilioAuthToken,
      accountSid: t.twilioAccountSid,
      from,
      to: t.twilioNumber,
      body,
      ...(messageSid ? { messageSid } : {}),
    });
  };
  const sms = async (from: string, body: string, messageSid?: string): Promise<string[]> => {
    const response = await target().request("/webhooks/twilio/sms", smsInit(from, body, messageSid));
    expect(response.status).toBe(200);
    return twimlMessages(await response.text());
  };

  describe(`conversations on ${runtime}`, () => {
    it("Telegram: from a champion's deep link through the priorities flow, with buttons", async () => {
      const t = target();
      const chat = 71_000_001;
      const say = async (text: string) => expect((await telegram(textUpdate(chat, text))).status).toBe(200);
      await say("/start ST6BUS");
      expect(t.telegram.textsTo(chat).at(-1)).toContain("English or Cymraeg?");
      expect(t.telegram.lastKeyboard(chat)).toEqual([["English", "Cymraeg"]]);
      await say("English");
      expect(t.telegram.textsTo(chat).at(-1)).toContain("Is that OK?");
      await say("Yes");
      expect(t.telegram.textsTo(chat).at(-1)).toContain("What's your postcode?");
      await say("ST6 1AA");
      expect(t.telegram.textsTo(chat).at(-1)).toContain("What matters most to you in your area?");
      // Two ticks and Done, pressed as Telegram sends button presses (on the message with the keyboard).
      const sends = t.telegram.callsOf("sendMessage");
      const keyboardCall = sends.filter((c) => Number(c.params.chat_id) === chat).at(-1)!;
      const messageId = 1000 + sends.indexOf(keyboardCall);
      const buttons = (
        keyboardCall.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }
      ).inline_keyboard.flat();
      const data = (label: string) => buttons.find((b) => b.text === label)!.callback_data;
      for (const label of ["Housing", "Buses and transport", "Done ✔"])
        expect((await telegram(callbackUpdate(chat, messageId, data(label)))).status).toBe(200);
      expect(t.telegram.textsTo(chat).at(-1)).toContain("What one thing");
      await say("More buses to Hanley at night");
      expect(t.telegram.textsTo(chat).at(-1)).toContain("which age group are you in?");
      expect(t.telegram.callsOf("answerCallbackQuery").length).toBeGreaterThanOrEqual(3);
      expect(await t.answers("telegram", String(chat))).toEqual([
        ["postcode", "ST6"],
        ["priorities", ["housing", "transport"]],
        ["biggest_difference", "More buses to Hanley at night"],
      ]);
      expect(await t.contact("telegram", String(chat))).toMatchObject({
        area: "ST6",
        attribution: "ST6BUS",
        status: "active",
      });
    });

    it("SMS: numbered replies, typed words and a misspelling, signposting from the directory", async () => {
      const t = target();
      const phone = "+447700900611";
      expect((await sms(phone, "Hi"))[0]).toContain("English or Cymraeg?\n\n1. English\n2. Cymraeg");
      expect((await sms(phone, "1"))[0]).toContain("Is that OK?");
      expect((await sms(phone, "Yes!"))[0]).toContain("What's your postcode?");
      expect((await sms(phone, "st6 1aa"))[0]).toMatch(
        /^Got it: ST6\.\n\nWhat matters most to you in your area\? Pick up to 3\./,
      );
      expect((await sms(phone, "2 and 5, transprot"))[0]).toMatch(
        /^Got it: Cost of living, Feeling safe and Buses and transport\./,
      );
      expect((await sms(phone, "A proper bus to Hanley after 6pm"))[0]).toContain("which age group are you in?");
      expect((await sms(phone, "3"))[0]).toContain("Would you like details of local services");
      const offer = (await sms(phone, "yes please")).join("\n");
      expect(offer).toMatch(/^Here are some local services that could help:/);
      expect(offer).toContain("Tel 01632 9602");
      expect((await sms(phone, "3"))[0]).toContain("Can we message you later to say what changed");
      expect((await sms(phone, "no thanks"))[0]).toContain("is there anything you could offer your area");
      expect(await sms(phone, "no")).toEqual([
        "Thanks again. Message HELP to find out more about this service, or STOP to stop messages.",
      ]);
      expect(Object.fromEntries(await t.answers("sms", phone))).toEqual({
        postcode: "ST6",
        priorities: ["cost_of_living", "safety", "transport"],
        biggest_difference: "A proper bus to Hanley after 6pm",
        age_band: "age_25_34",
        wants_help: true,
        hear_back: false,
        could_offer: false,
      });
      // STOP is honoured before any flow.
      expect((await sms(phone, "STOP"))[0]).toContain("You will not get any more messages");
      expect((await t.contact("sms", phone))?.status).toBe("stopped");
    });

    it("SMS: OFFER gets the local groups near them that want it, with the groups' own numbers; offering again replaces it", async () => {
      const t = target();
      const phone = "+447700900931";
      expect((await sms(phone, "OFFER")).join("\n")).toContain("Local groups need people like you.");
      expect((await sms(phone, "yes")).join("\n")).toContain("What could you offer your area?");
      expect((await sms(phone, "2 4")).join("\n")).toContain("In a few words, what could you do?");
      expect((await sms(phone, "I could teach cooking and drive")).join("\n")).toContain("Roughly when");
      expect((await sms(phone, "3")).join("\n")).toContain("What's your postcode?");
      const groups = (await sms(phone, "ST6 1AA")).join("\n\n");
      expect(groups).toContain("Thank you. These local groups would welcome your help. Contact them yourself:");
      expect(groups).toMatch(/Tunstall Youth Club\nTel 01632 960280\n\nBurslem Community Pantry\nTel 01632 960121/);
      expect(groups).toContain("Send OFFER at any time to tell us more.");
      // Again, with the area known: what, the details and when, then the groups.
      expect((await sms(phone, "OFFER")).join("\n")).toContain("What could you offer your area?");
      await sms(phone, "looking out for neighbours");
      await sms(phone, "skip");
      expect((await sms(phone, "1")).join("\n")).toContain("Hanley Park volunteering");
      const answers = (await t.answers("sms", phone)).filter(([key]) => key === "offer_kinds");
      expect(answers).toEqual([
        ["offer_kinds", ["skill", "lifts"]],
        ["offer_kinds", ["neighbours"]],
      ]);
      expect((await t.contact("sms", phone))?.area).toBe("ST6");
    });

    it("SMS: a resident asks a group to get in touch; the group writes through the API; the resident answers, STOP ends it, DELETE leaves nothing", async () => {
      const t = target();
      const phone = "+447700900932";
      for (const text of ["OFFER", "yes", "2", "skip", "1"]) await sms(phone, text);
      const groups = (await sms(phone, "ST6 1AA")).join("\n\n");
      expect(groups).toContain("1. Ask Tunstall Youth Club to contact me");
      const token = await t.createPartner("Tunstall Youth Club volunteers", [], "tunstall-youth-club");
      const api = (path: string, body?: unknown) =>
        t.request(path, {
          method: body === undefined ? "GET" : "POST",
          headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
      const relays = async () =>
        (
          (await (await api("/api/v1/relays")).json()) as {
            relays: { id: string; offer: unknown; messages: { text: string }[] }[];
          }
        ).relays;
      expect(await relays()).toEqual([]);
      expect((await sms(phone, "1")).join("\n")).toContain("We've asked Tunstall Youth Club to get in touch.");
      const [relay] = await relays();
      expect(relay!.offer).toEqual({ area: "ST6", what: ["A skill"], when: "Weekdays" });
      expect(
        (await api(`/api/v1/relays/${relay!.id}/messages`, { text: "Could you run a cooking club?" })).status,
      ).toBe(202);
      await t.runOutbox();
      expect(t.twilio.sent.filter((m) => m.to === phone).at(-1)?.body).toContain(
        "Tunstall Youth Club says: Could you run a cooking club?",
      );
      expect((await sms(phone, "Happy to, on Mondays")).join("\n")).toBe("Sent to Tunstall Youth Club.");
      expect((await relays())[0]!.messages.map((m) => m.text)).toEqual([
        "Could you run a cooking club?",
        "Happy to, on Mondays",
      ]);
      await sms(phone, "STOP");
      expect((await api(`/api/v1/relays/${relay!.id}/messages`, { text: "Still there?" })).status).toBe(409);
      await sms(phone, "DELETE YES");
      expect(await relays()).toEqual([]);
      expect((await api(`/api/v1/relays/${relay!.id}/messages`, { text: "Hello?" })).status).toBe(404);
    });

    it("a Telegram update or Twilio MessageSid delivered 3 times at once is processed once", async () => {
      const t = target();
      const chat = 71_000_002;
      const first = textUpdate(chat, "hello");
      const sent = () => t.telegram.textsTo(chat).length;
      const responses = await Promise.all([telegram(first), telegram(first), telegram(first)]);
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      await t.runOutbox();
      expect(sent()).toBe(1);
      expect(await t.inboundRecorded(`telegram:${first.update_id}`)).toBe(1);

      const phone = "+447700900612";
      for (const body of ["hi", "english", "yes"]) await sms(phone, body);
      const sid = `SM${"d".repeat(32)}`;
      const replies = await Promise.all(
        [0, 1, 2].map(() =>
          t
            .request("/webhooks/twilio/sms", smsInit(phone, "ST6 1AA", sid))
            .then(async (r) => ({ status: r.status, xml: await r.text() })),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(replies.filter((r) => r.xml.includes("Got it: ST6."))).toHaveLength(1);
      expect((await t.answers("sms", phone)).filter(([q]) => q === "postcode")).toEqual([["postcode", "ST6"]]);
      expect(await t.inboundRecorded(`sms:${sid}`)).toBe(1);
    });

    it("two SMS from one resident sent together are answered in order, both answers kept", async () => {
      const t = target();
      const phone = "+447700900613";
      for (const body of ["hi", "english", "yes"]) await sms(phone, body);
      const [first, second] = await Promise.all([sms(phone, "ST6 1AA"), sms(phone, "1, 6")]);
      expect(first[0]).toContain("Got it: ST6.");
      expect(second[0]).toContain("Got it: Housing and Buses and transport.");
      expect(await t.answers("sms", phone)).toEqual([
        ["postcode", "ST6"],
        ["priorities", ["housing", "transport"]],
      ]);
    });

    it("a reply the platform failed to take is sent by the outbox run, once", async () => {
      const t = target();
      const chat = 71_000_003;
      let failures = 0;
      t.telegram.intercept = (call) =>
        call.method === "sendMessage" && Number(call.params.chat_id) === chat && failures++ === 0
          ? { ok: false, error_code: 500, description: "Internal Server Error" }
          : undefined;
      expect((await telegram(textUpdate(chat, "hi"))).status).toBe(200);
      expect(t.telegram.textsTo(chat)).toHaveLength(1); // the failed attempt
      // Not due again until its backoff (2 s) has passed: nothing is sent meanwhile.
      await t.runOutbox();
      expect(t.telegram.textsTo(chat)).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 2_300));
      await t.runOutbox();
      expect(t.telegram.textsTo(chat)).toHaveLength(2);
      expect(t.telegram.textsTo(chat)[1]).toContain("English or Cymraeg?");
      await t.runOutbox();
      expect(t.telegram.textsTo(chat)).toHaveLength(2);
      t.telegram.intercept = undefined;
      expect(failures).toBe(2);
    });

    it("refuses malformed and unsigned webhooks with 4xx, never 5xx", async () => {
      const t = target();
      expect(
        (
          await t.request("/webhooks/telegram", {
            method: "POST",
            headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": t.telegramSecret },
            body: "{not json",
          })
        ).status,
      ).toBe(400);
      expect((await telegram(textUpdate(71_000_004, "hi"), null)).status).toBe(401);
      expect((await telegram(textUpdate(71_000_004, "hi"), "wrong-secret-wrong-secret")).status).toBe(401);
      const forged = smsInit("+447700900614", "hi");
      (forged.headers as Record<string, string>)["X-Twilio-Signature"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
      expect((await t.request("/webhooks/twilio/sms", forged)).status).toBe(403);
      expect(await t.contact("sms", "+447700900614")).toBeNull();
    });

    it("serves the partner API and the privacy notice from the same database", async () => {
      const t = target();
      const token = await t.createPartner("Runtime Council", []);
      const response = await t.request("/api/v1/insights/priorities", {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as {
        respondents: { count: number | null };
        rows: { theme: string; count: number | null }[];
      };
      // Fewer than 10 residents have answered here: every number is withheld.
      expect(body.respondents.count).toBeNull();
      expect(body.rows.every((r) => r.count === null)).toBe(true);
      expect(
        (
          await t.request("/api/v1/insights/priorities", {
            headers: { Authorization: "Bearer pv_not_a_real_token_000000000000" },
          })
        ).status,
      ).toBe(401);
      const privacy = await t.request("/privacy?lang=cy");
      expect(privacy.status).toBe(200);
      expect(await privacy.text()).toContain("Hysbysiad preifatrwydd");
      expect(privacy.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
    });
  });
}
