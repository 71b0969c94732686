// "You said, we did" end to end: residents in two areas answer over SMS and Telegram; a
// partner publishes an update for one area and theme; exactly the residents who qualify get
// it on their own channel, in their language — nobody who stopped, declined, said no to
// hearing back, chose other things or lives elsewhere — and their replies are counted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textUpdate } from "../support/fake-telegram.js";
import {
  PUBLIC_URL,
  TELEGRAM_SECRET,
  TELEGRAM_TOKEN,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  published,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { testClock } from "../support/clock.js";
import { DashboardClient, csrfOf } from "../support/dashboard-client.js";
import { compareTranslations } from "../../src/engine/translation-check.js";
import { runCliInProcess } from "../support/cli.js";

interface Resident {
  readonly channel: "sms" | "telegram";
  readonly address: string;
  readonly language: "en" | "cy";
  readonly postcode: string;
  readonly picks: string;
  readonly hearBack: boolean;
}

let h: Harness;
let n = 0;
const sms = (language: "en" | "cy", postcode: string, picks: string, hearBack: boolean): Resident => ({
  channel: "sms",
  address: `+4477009${String(++n).padStart(5, "0")}`,
  language,
  postcode,
  picks,
  hearBack,
});
const tg = (language: "en" | "cy", postcode: string, picks: string, hearBack: boolean): Resident => ({
  channel: "telegram",
  address: String(880_000 + ++n),
  language,
  postcode,
  picks,
  hearBack,
});

/** One resident through the whole priorities flow, saying yes or no to hearing back. */
async function takePart(r: Resident) {
  const en = r.language === "en";
  const replies = [
    en ? "hi" : "helo",
    en ? "1" : "2",
    en ? "yes" : "ie",
    r.postcode,
    r.picks,
    "skip",
    "skip",
    en ? "no" : "na",
    r.hearBack ? (en ? "yes" : "ie") : en ? "no" : "na",
    // Nothing to offer: the conversation ends (an update to someone mid-conversation has no question).
    en ? "no" : "na",
  ];
  for (const text of replies)
    await h.services.conversation.handle({ channel: r.channel, address: r.address, input: { type: "text", text } });
}

/** Messages that reached a resident at the fake platforms. */
function received(r: Resident): string[] {
  return r.channel === "sms"
    ? h.twilio.sent.filter((m) => m.to === r.address).map((m) => m.body)
    : h.telegram.textsTo(Number(r.address));
}

// ST6, transport, yes to hearing back: these 10 qualify (3 in Welsh; 4 on Telegram).
const qualifying = [
  sms("en", "ST6 1AA", "6", true),
  sms("en", "ST6 2BB", "6, 1", true),
  sms("en", "ST6 3CC", "transport and housing", true),
  sms("en", "ST6 4DD", "buses", true),
  sms("cy", "ST6 5EE", "6", true),
  sms("cy", "ST6 6FF", "6, 2", true),
  tg("en", "ST6 7GG", "6", true),
  tg("en", "ST6 8HH", "6, 5", true),
  tg("en", "ST6 9JJ", "transport", true),
  tg("cy", "ST6 1KK", "6", true),
];
const saidNo = [sms("en", "ST6 1LL", "6", false), tg("en", "ST6 1MM", "6", false)];
const stopped = sms("en", "ST6 1NN", "6", true);
const otherArea = [sms("en", "ST3 1AA", "6", true), sms("en", "ST3 2BB", "6", true), tg("en", "ST3 3CC", "6", true)];
const otherTheme = [sms("en", "ST6 1PP", "1", true), tg("en", "ST6 1QQ", "2", true)];
const declined = sms("en", "ST6 1RR", "6", true);
// Enough other ST6 residents that the share choosing transport can be published at all.
const others = Array.from({ length: 8 }, () => sms("en", "ST6 2ZZ", "1", false));

beforeAll(async () => {
  h = await startHarness({ QUIET_HOURS: "00:00-00:00", TWILIO_MAX_PER_SECOND: "100", TELEGRAM_MAX_PER_SECOND: "100" });
  for (const r of [...qualifying, ...saidNo, stopped, ...otherArea, ...otherTheme, ...others]) await takePart(r);
  await h.services.conversation.handle({
    channel: stopped.channel,
    address: stopped.address,
    input: { type: "text", text: "STOP" },
  });
  for (const text of ["hi", "1", "no"])
    await h.services.conversation.handle({
      channel: declined.channel,
      address: declined.address,
      input: { type: "text", text },
    });
  h.telegram.reset();
  h.twilio.reset();
}, 120_000);

afterAll(async () => {
  await h.close();
});

const SHARE = Math.round((published(13)! / published(23)!) * 100);

describe("you said, we did", () => {
  let updateId: string;

  it("previews the audience and the message per channel before sending", async () => {
    const draft = await h.services.updates.draft({
      author: "test",
      theme: "transport",
      areas: ["ST6"],
      weDid: { en: "The 98 bus now runs until 11pm.", cy: "Mae'r bws 98 nawr yn rhedeg tan 11pm." },
    });
    expect(draft.audience).toEqual({ count: published(10), suppressed: false });
    // Pre-filled from the published figures: 13 of the 23 ST6 residents who answered chose
    // transport, each number as the gate publishes it.
    expect(draft.youSaid.en).toBe(`${SHARE}% of residents in ST6 put buses and transport in their top 3.`);
    expect(draft.youSaid.cy).toBe(
      `Roedd bysiau a thrafnidiaeth ymhlith y 3 blaenoriaeth uchaf i ${SHARE}% o drigolion ST6.`,
    );
    const sms = draft.previews.find((p) => p.channel === "sms" && p.language === "en")!;
    expect(sms.text).toContain("We did: The 98 bus now runs until 11pm.");
    expect(sms.segments).toBeGreaterThanOrEqual(1);
    expect(sms.segments).toBeLessThanOrEqual(3);
    expect(draft.previews.find((p) => p.channel === "telegram" && p.language === "cy")!.text).toContain(
      "Fe wnaethon ni: Mae'r bws 98 nawr yn rhedeg tan 11pm.",
    );
  });

  it("reaches exactly the residents who qualify, on their channel, in their language", async () => {
    const result = await h.services.updates.publish({
      author: "partner-st6",
      theme: "transport",
      areas: ["ST6"],
      weDid: { en: "The 98 bus now runs until 11pm.", cy: "Mae'r bws 98 nawr yn rhedeg tan 11pm." },
      link: "https://stoke.example.org/buses",
    });
    updateId = result.id;
    expect(result.queued).toBe(10);
    await h.services.dispatcher.drain();
    for (const r of qualifying) {
      const got = received(r).join("\n");
      if (r.language === "cy") {
        expect(got, r.address).toContain("PlaceVoice: diweddariad i ST6:");
        expect(got).toContain("Fe wnaethon ni: Mae'r bws 98 nawr yn rhedeg tan 11pm.");
        expect(got).toContain("Oedd y diweddariad hwn yn ddefnyddiol?");
      } else {
        expect(got, r.address).toContain("An update from PlaceVoice for ST6:");
        expect(got).toContain("We did: The 98 bus now runs until 11pm.");
        expect(got).toContain("More: https://stoke.example.org/buses");
        expect(got).toContain("Was this update helpful?");
      }
    }
    for (const r of [...saidNo, stopped, ...otherArea, ...otherTheme, declined, ...others])
      expect(received(r), `${r.address} should get nothing`).toEqual([]);
    // Each qualifying resident got it once.
    expect(h.twilio.sent.filter((m) => m.body.includes("98 bus") || m.body.includes("bws 98"))).toHaveLength(6);
    expect(h.telegram.callsOf("sendMessage").filter((c) => String(c.params.text).includes("98"))).toHaveLength(4);
  });

  it("counts replies to the update, and shows them only at or above the threshold", async () => {
    // Seven say it was helpful (SMS "1", Telegram in words), one not.
    for (const r of qualifying.slice(0, 7))
      await h.services.conversation.handle({
        channel: r.channel,
        address: r.address,
        input: { type: "text", text: r.channel === "sms" ? "1" : "yes, helpful" },
      });
    await h.services.conversation.handle({
      channel: qualifying[7]!.channel,
      address: qualifying[7]!.address,
      input: { type: "text", text: "not really" },
    });
    const answers = await h.services.prisma.answer.findMany({
      where: { flowId: "update_reply", questionKey: "helpful" },
    });
    expect(answers.map((a) => a.value).sort()).toEqual([...Array(7).fill('"helpful"'), '"not_helpful"'].sort());
    const [stats] = await h.services.updates.stats(["ST6"]);
    expect(stats!.id).toBe(updateId);
    expect(stats!.audience).toEqual({ count: published(10), suppressed: false });
    expect(stats!.delivered).toEqual({ count: published(10), suppressed: false });
    // 7 and 1 are below 10: withheld.
    expect(stats!.helpful).toEqual({ count: null, suppressed: true });
    expect(stats!.notHelpful).toEqual({ count: null, suppressed: true });
    // A partner for other areas does not see it.
    expect(await h.services.updates.stats(["ST3"])).toEqual([]);
  });

  it("lets residents see past updates for their area with UPDATES / /updates", async () => {
    const r = qualifying[0]!;
    const outcome = await h.services.conversation.handle({
      channel: r.channel,
      address: r.address,
      input: { type: "text", text: "UPDATES" },
    });
    const text = outcome.replies.map((x) => ("text" in x ? x.text : "")).join("\n");
    expect(text).toContain("Updates for ST6:");
    expect(text).toContain("We did: The 98 bus now runs until 11pm. https://stoke.example.org/buses");
    const welsh = qualifying[9]!;
    const before = h.telegram.textsTo(Number(welsh.address)).length;
    await h.telegramUpdate(textUpdate(Number(welsh.address), "/updates"));
    const reply = h.telegram.textsTo(Number(welsh.address)).slice(before).join("\n");
    expect(reply).toContain("Diweddariadau i ST6:");
    const elsewhere = otherArea[0]!;
    const other = await h.services.conversation.handle({
      channel: elsewhere.channel,
      address: elsewhere.address,
      input: { type: "text", text: "updates" },
    });
    expect(other.replies.map((x) => ("text" in x ? x.text : "")).join("\n")).toContain("No updates for ST3 yet.");
    // The Welsh says the same things: no sentence dropped, as flows lint checks the flows' own texts.
    const none = {
      en: await h.services.updates.summaryFor("ST3", "en"),
      cy: await h.services.updates.summaryFor("ST3", "cy"),
    };
    expect(compareTranslations(none, ["en", "cy"])).toEqual([]);
    expect(none.cy).toContain("Dim diweddariadau i ST3 eto.");
  });

  it("sends to a small audience without revealing its size, by default", async () => {
    h.twilio.reset();
    h.telegram.reset();
    const draft = await h.services.updates.draft({
      author: "test",
      theme: "transport",
      areas: ["ST3"],
      weDid: { en: "A new shelter at the Longton stop." },
    });
    expect(draft.audience).toEqual({ count: null, suppressed: true });
    const result = await h.services.updates.publish({
      author: "test",
      theme: "transport",
      areas: ["ST3"],
      weDid: { en: "A new shelter at the Longton stop." },
    });
    expect(result.audience).toEqual({ count: null, suppressed: true });
    expect(result.refused).toBeUndefined();
    await h.services.dispatcher.drain();
    for (const r of otherArea) expect(received(r).join("\n")).toContain("A new shelter at the Longton stop.");
  });
});

describe("you said, we did, with UPDATE_SMALL_AUDIENCE=refuse", () => {
  it("refuses an update that would reach fewer than the threshold, without saying how many", async () => {
    const strict = await startHarness({ QUIET_HOURS: "00:00-00:00", UPDATE_SMALL_AUDIENCE: "refuse" });
    try {
      for (const text of ["hi", "1", "yes", "ST4 1AA", "6", "skip", "skip", "no", "yes"])
        await strict.services.conversation.handle({
          channel: "sms",
          address: "+447700900999",
          input: { type: "text", text },
        });
      const result = await strict.services.updates.publish({
        author: "test",
        theme: "transport",
        areas: ["ST4"],
        weDid: { en: "More buses." },
      });
      expect(result).toMatchObject({ refused: true, queued: 0, audience: { count: null, suppressed: true } });
      expect(await strict.services.prisma.update.count()).toBe(0);
      expect(await strict.services.prisma.outboxMessage.count({ where: { kind: "broadcast" } })).toBe(0);
    } finally {
      await strict.close();
    }
  });
});

describe("you said, we did, from the dashboard", () => {
  it("lets a partner preview and send an update for its own areas, and refuses other areas with 403 and an audit entry", async () => {
    const { partner, token } = await h.services.partners.create("Burslem Partnership", ["ST6"]);
    const client = new DashboardClient(h.app);
    await client.signIn(token);
    expect((await client.page("/dashboard")).html).toContain('<a href="/dashboard/updates">You said, we did</a>');
    const list = await client.page("/dashboard/updates");
    expect(list.status).toBe(200);
    // The earlier update to ST6 is listed with its figures under disclosure control.
    expect(list.html).toContain("The 98 bus now runs until 11pm.");
    expect(list.html).toContain(`<td class="num">${published(10)}</td><td class="num">${published(10)}</td>`);
    const csrf = csrfOf(list.html);

    const preview = await client.post("/dashboard/updates/preview", {
      csrf,
      theme: "transport",
      areas: "ST6",
      we_did: "Two more buses on Sundays.",
      we_did_cy: "Dau fws arall ar ddydd Sul.",
      link: "",
    });
    expect(preview.status).toBe(200);
    const previewHtml = await preview.text();
    expect(previewHtml).toContain(`<strong data-testid="audience">${published(10)}</strong>`);
    expect(previewHtml).toMatch(/SMS · English · [123] SMS segments?/);
    expect(previewHtml).toContain(`${SHARE}% of residents in ST6 put buses and transport in their top 3.`);
    expect(previewHtml).toContain("Dau fws arall ar ddydd Sul.");

    h.twilio.reset();
    const sent = await client.post("/dashboard/updates/publish", {
      csrf,
      theme: "transport",
      areas: "ST6",
      we_did: "Two more buses on Sundays.",
      we_did_cy: "Dau fws arall ar ddydd Sul.",
      you_said: "Many of you asked for Sunday buses.",
      you_said_cy: "",
    });
    expect(sent.status).toBe(303);
    await h.services.dispatcher.drain();
    expect(
      h.twilio.sent.filter((m) => m.body.includes("Two more buses on Sundays.") || m.body.includes("Dau fws arall")),
    ).toHaveLength(6);
    expect(h.twilio.sent.some((m) => m.body.includes("You said: Many of you asked for Sunday buses."))).toBe(true);

    // Another area: refused and audited; nothing stored.
    const before = await h.services.prisma.update.count();
    const refused = await client.post("/dashboard/updates/publish", {
      csrf,
      theme: "transport",
      areas: "ST3",
      we_did: "Not yours to say.",
    });
    expect(refused.status).toBe(403);
    expect(await h.services.prisma.update.count()).toBe(before);
    const audit = (await h.services.prisma.auditEntry.findMany({ where: { actor: partner.id } })).map((a) => a.action);
    expect(audit).toEqual(
      expect.arrayContaining(["updates.view", "update.publish", "denied: update outside own areas"]),
    );
    // Without the CSRF token: refused.
    expect(
      (await client.post("/dashboard/updates/publish", { theme: "transport", areas: "ST6", we_did: "x" })).status,
    ).toBe(403);
  });
});

describe("you said, we did, from the command line", () => {
  it("previews, publishes and lists updates, never showing a count under the threshold", async () => {
    // The CLI runs with the server's settings (it renders for each channel; the server's outbox sends).
    const env = {
      DATABASE_URL: `file:${h.services.databaseFile}`,
      APP_SECRET: "channel-tests-app-secret-0123456789abcdef",
      QUIET_HOURS: "00:00-00:00",
      LOG_LEVEL: "error",
      PUBLIC_URL,
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TWILIO_ACCOUNT_SID: TWILIO_SID,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM: TWILIO_NUMBER,
    };
    const preview = await runCliInProcess(
      ["update", "preview", "--areas", "ST6", "--theme", "transport", "--we-did", "Bus stop benches on Waterloo Road."],
      { env, now: h.services.now },
    );
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toContain(`Would reach: ${published(10)} residents`);
    expect(preview.stdout).toMatch(/--- sms \(en\), [123] SMS segment\(s\)\nAn update from PlaceVoice for ST6:/);
    const small = await runCliInProcess(
      ["update", "publish", "--areas", "ST3", "--theme", "transport", "--we-did", "Real-time bus signs in Longton."],
      { env, now: h.services.now },
    );
    expect(small.code, small.stderr).toBe(0);
    expect(small.stdout).toContain("Would reach: fewer than 10 residents");
    expect(small.stdout).toMatch(/queued for fewer than 10 residents/);
    expect(small.stdout).not.toMatch(/queued for [0-9]/);
    h.twilio.reset();
    await h.services.dispatcher.drain();
    expect(h.twilio.sent.filter((m) => m.body.includes("Real-time bus signs in Longton."))).toHaveLength(2);
    const list = await runCliInProcess(["update", "list"], { env, now: h.services.now });
    expect(list.stdout).toContain("ST3  transport  sent to fewer than 10");
    expect(list.stdout).toContain(`ST6  transport  sent to ${published(10)}, delivered ${published(10)}`);
    const bad = await runCliInProcess(["update", "publish", "--areas", "Stoke", "--we-did", "x"], {
      env,
      now: h.services.now,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--areas: postcode districts");
  });
});

describe("you said, we did, in quiet hours", () => {
  it("waits for the morning: queued now, sent when quiet hours end", async () => {
    // Half past nine at night in London (GMT in January), inside quiet hours of 21:00-09:00.
    const quiet = await startHarness({ QUIET_HOURS: "21:00-09:00" }, testClock("2026-01-05T21:30:00Z"));
    try {
      for (const text of ["hi", "1", "yes", "ST5 1AA", "6", "skip", "skip", "no", "yes"])
        await quiet.services.conversation.handle({
          channel: "sms",
          address: "+447700900998",
          input: { type: "text", text },
        });
      const result = await quiet.services.updates.publish({
        author: "test",
        theme: "transport",
        areas: ["ST5"],
        weDid: { en: "Later buses." },
      });
      expect(result.queued).toBe(1);
      expect(result.sendFrom.toISOString()).toBe("2026-01-06T09:00:00.000Z");
      const rows = await quiet.services.prisma.outboxMessage.findMany({
        where: { idempotencyKey: { startsWith: `update:${result.id}:` } },
      });
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row.nextAttemptAt.getTime()).toBe(result.sendFrom.getTime());
      await quiet.services.dispatcher.drain();
      expect(quiet.twilio.sent).toHaveLength(0);
      quiet.clock.set("2026-01-06T09:00:00Z");
      await quiet.services.dispatcher.drain();
      expect(quiet.twilio.sent.filter((m) => m.body.includes("Later buses."))).toHaveLength(1);
    } finally {
      await quiet.close();
    }
  });
});
