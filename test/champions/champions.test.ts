// Champions: codes to share, attribution of the residents they bring, and their own page,
// which shows only aggregates and never a count below the threshold.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChampionStore } from "../../src/champions/champion-store.js";
import { CODE_PATTERN, generateCode, shareLinks } from "../../src/champions/codes.js";
import { textUpdate } from "../support/fake-telegram.js";
import { inboundSms } from "../support/fake-twilio.js";
import Database from "better-sqlite3";
import { runCli, runCliInProcess } from "../support/cli.js";
import {
  SMS_URL,
  TWILIO_NUMBER,
  TWILIO_SID,
  TWILIO_TOKEN,
  published,
  startHarness,
  type Harness,
} from "../support/channel-harness.js";
import { tempDir } from "../support/temp-db.js";

describe("codes", () => {
  it("are short, unambiguous and case-insensitive", () => {
    for (let i = 0; i < 200; i++) expect(generateCode()).toMatch(CODE_PATTERN);
    expect(generateCode(6, () => 0)).toBe("AAAAAA");
    expect(shareLinks("K7P2QX", "placevoice_bot", "+447700900000")).toEqual({
      telegram: "https://t.me/placevoice_bot?start=c_K7P2QX",
      sms: "Text JOIN K7P2QX to 07700 900000",
      smsCy: "Tecstiwch JOIN K7P2QX i 07700 900000",
    });
  });
});

describe("placevoice champion create", () => {
  it("prints the code, Telegram link, SMS instruction and private page, and writes QR codes", async () => {
    const t = tempDir();
    try {
      const env = {
        DATABASE_URL: `file:${path.join(t.dir, "c.db")}`,
        APP_SECRET: "champion-cli-secret-0123456789abcdef0123",
        PUBLIC_URL: "https://voice.example.org",
        TELEGRAM_BOT_TOKEN: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
        TELEGRAM_WEBHOOK_SECRET: "secret-secret-secret-1",
        TELEGRAM_BOT_USERNAME: "stoke_voice_bot",
        TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
        TWILIO_AUTH_TOKEN: "token",
        TWILIO_FROM: "+447700900000",
      };
      const result = await runCli(
        ["champion", "create", "--name", "Burslem Community Pantry", "--org", "BCP", "--out", path.join(t.dir, "qr")],
        { env },
      );
      expect(result.code, result.stderr).toBe(0);
      const code = /code: +([A-Z0-9]+)/.exec(result.stdout)?.[1];
      expect(code).toMatch(CODE_PATTERN);
      expect(result.stdout).toContain("Champion created: Burslem Community Pantry (BCP)");
      expect(result.stdout).toContain(`Telegram:  https://t.me/stoke_voice_bot?start=c_${code}`);
      expect(result.stdout).toContain(`SMS:       Text JOIN ${code} to 07700 900000`);
      expect(result.stdout).toMatch(
        new RegExp(`https://voice\\.example\\.org/champions/${code}\\?key=[A-Za-z0-9_-]{32}`),
      );
      const png = path.join(t.dir, "qr", `${code}.png`);
      expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(readFileSync(path.join(t.dir, "qr", `${code}.svg`), "utf8")).toContain("<svg");

      const campaign = await runCli(
        [
          "champion",
          "campaign",
          "--code",
          code!.toLowerCase(),
          "--name",
          "Poster: Middleport",
          "--out",
          path.join(t.dir, "qr"),
        ],
        { env },
      );
      expect(campaign.code, campaign.stderr).toBe(0);
      expect(campaign.stdout).toContain('Campaign "Poster: Middleport" for Burslem Community Pantry:');
      const campaignCode = /code: +([A-Z0-9]+)/.exec(campaign.stdout)?.[1];
      expect(campaignCode).not.toBe(code);
      expect(existsSync(path.join(t.dir, "qr", `${campaignCode}.png`))).toBe(true);
      const offers = await runCli(
        ["champion", "campaign", "--code", code!, "--name", "Poster: What could you give?", "--flow", "offers"],
        { env },
      );
      expect(offers.code, offers.stderr).toBe(0);
      expect(offers.stdout).toContain(
        'Campaign "Poster: What could you give?" for Burslem Community Pantry (starts the offers flow):',
      );
      const offersCode = /code: +([A-Z0-9]+)/.exec(offers.stdout)?.[1];
      const unknown = await runCli(["champion", "campaign", "--code", code!, "--name", "X", "--flow", "nothing"], {
        env,
      });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
      expect(unknown.stderr).toContain('No flow "nothing": the flows are');
      const retire = await runCli(["champion", "retire", "--code", campaignCode!], { env });
      expect(retire.code, retire.stderr).toBe(0);
      const list = await runCli(["champion", "list"], { env });
      expect(list.stdout).toContain(
        `Burslem Community Pantry (BCP): ${code}, ${campaignCode} "Poster: Middleport" [retired], ${offersCode} "Poster: What could you give?" [offers]`,
      );
    } finally {
      t.cleanup();
    }
  });
});

describe("placevoice champion retire --champion", () => {
  it("retires a champion and all their codes by any one of them, in the list and the audit log; a mistake is one line", async () => {
    const t = tempDir();
    try {
      const env = {
        DATABASE_URL: `file:${path.join(t.dir, "c.db")}`,
        APP_SECRET: "champion-cli-secret-0123456789abcdef0123",
      };
      const created = await runCliInProcess(["champion", "create", "--name", "Norton Allotments", "--out", t.dir], {
        env,
      });
      const code = /code: +([A-Z0-9]+)/.exec(created.stdout)![1]!;
      const campaign = await runCliInProcess(["champion", "campaign", "--code", code, "--name", "Poster: Norton"], {
        env,
      });
      const poster = /code: +([A-Z0-9]+)/.exec(campaign.stdout)![1]!;
      const both = await runCliInProcess(["champion", "retire", "--code", code, "--champion", code], { env });
      expect(both.code).toBe(2);
      expect(both.stderr.trim().split("\n")).toHaveLength(1);
      const retired = await runCliInProcess(["champion", "retire", "--champion", poster.toLowerCase()], { env });
      expect(retired.code, retired.stderr).toBe(0);
      expect(retired.stdout).toContain(
        `Retired Norton Allotments and their codes (${[code, poster].sort().join(", ")})`,
      );
      const list = await runCliInProcess(["champion", "list"], { env });
      expect(list.stdout).toContain(`Norton Allotments [retired]: ${code}, ${poster} "Poster: Norton"`);
      const nobody = await runCliInProcess(["champion", "retire", "--champion", "ZZZZZZ"], { env });
      expect(nobody.code).toBe(1);
      expect(nobody.stderr.trim()).toBe("No code ZZZZZZ");
      const db = new Database(path.join(t.dir, "c.db"), { readonly: true });
      try {
        const rows = db.prepare("SELECT actor, detail FROM audit_log WHERE action = 'champions.retire-champion'").all();
        expect(rows).toEqual([
          { actor: "operator (cli)", detail: JSON.stringify({ champion: poster, codes: [code, poster].sort() }) },
        ]);
      } finally {
        db.close();
      }
    } finally {
      t.cleanup();
    }
  });
});

describe("champion page", () => {
  let h: Harness;
  let champions: ChampionStore;
  beforeAll(async () => {
    h = await startHarness();
    champions = h.services.champions;
  });
  afterAll(async () => {
    await h.close();
  });

  let phone = 500;
  async function residentVia(code: string, finish: boolean) {
    const from = `+4477009${String(++phone).padStart(5, "0")}`;
    const replies = [
      `JOIN ${code}`,
      "english",
      "yes",
      "ST6 1AA",
      "1, 6",
      ...(finish ? ["More buses", "skip", "no"] : []),
    ];
    for (const body of replies) {
      const response = await h.sms(
        inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
      );
      expect(response.status).toBe(200);
    }
  }

  async function page(code: string, key: string) {
    const response = await h.app.request(`/champions/${code}?key=${encodeURIComponent(key)}`);
    return { status: response.status, text: await response.text(), headers: response.headers };
  }

  const count = (html: string, name: string) => new RegExp(`data-count="${name}">([^<]*)<`).exec(html)?.[1];

  it("shows counts only once they reach the threshold, and hides who took part", async () => {
    const champion = await champions.create("Middleport Residents Group", undefined);
    const campaign = await champions.addCampaign(champion.code, "Poster: Library");
    for (let i = 0; i < 6; i++) await residentVia(champion.code, true);
    for (let i = 0; i < 3; i++) await residentVia(campaign.code, i < 2);

    let view = await page(champion.code, champion.viewToken);
    expect(view.status).toBe(200);
    expect(view.headers.get("Cache-Control")).toBe("no-store");
    expect(count(view.text, "reached")).toBe("fewer than 10");
    expect(count(view.text, "finished")).toBe("fewer than 10");
    expect(view.text).toContain("Not enough answers yet");
    expect(view.text).not.toContain("+44");

    await residentVia(campaign.code, true); // the 10th resident
    view = await page(champion.code, champion.viewToken);
    expect(count(view.text, "reached")).toBe(String(published(10)));
    expect(count(view.text, "finished")).toBe("fewer than 10"); // 9 finished
    // Housing and transport were picked by all 10 (published as every count of 10 residents is).
    expect(view.text).toContain(`<td>Housing</td><td>${published(10)}</td>`);
    expect(view.text).toContain(`<td>Buses and transport</td><td>${published(10)}</td>`);
    expect(view.text).toContain("Poster: Library");
  });

  it("shows what the residents they brought could offer, once a kind reaches the threshold", async () => {
    const champion = await champions.create("Burslem Good Neighbours", undefined);
    const offerVia = async (what: string) => {
      const from = `+4477009${String(++phone).padStart(5, "0")}`;
      // The priorities flow, then yes to its last question, then the offer (area already known).
      for (const body of [
        `JOIN ${champion.code}`,
        "english",
        "yes",
        "ST6 1AA",
        "1",
        "skip",
        "skip",
        "no",
        "no",
        "yes",
        what,
        "skip",
        "weekends",
      ]) {
        const response = await h.sms(
          inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
        );
        expect(response.status).toBe(200);
      }
    };
    for (let i = 0; i < 9; i++) await offerVia(i < 3 ? "some time and lifts" : "some time");
    let view = await page(champion.code, champion.viewToken);
    expect(view.text).toContain("What they could offer");
    expect(view.text).toContain("Not enough offers yet");
    await offerVia("some time"); // the 10th
    view = await page(champion.code, champion.viewToken);
    expect(view.text).toContain(`<td>Some time</td><td>${published(10)}</td>`);
    // Lifts: 3 residents, under the threshold, not listed at all.
    expect(view.text).not.toContain("<td>Lifts</td>");
    expect(view.text).not.toContain("+44");
  });

  it("starts the offers flow from a campaign code for offers, and carries on afterwards with what it interrupted", async () => {
    const champion = await champions.create("Tunstall Helpers", undefined);
    const poster = await champions.addCampaign(champion.code, "Poster: What could you give?", "offers");
    const send = async (from: string, body: string) => {
      const response = await h.sms(
        inboundSms({ url: SMS_URL, authToken: TWILIO_TOKEN, accountSid: TWILIO_SID, from, to: TWILIO_NUMBER, body }),
      );
      expect(response.status).toBe(200);
      return [...(await response.text()).matchAll(/<Message>([\s\S]*?)<\/Message>/g)]
        .map((m) => m[1]!.replace(/&apos;/g, "'"))
        .join("\n");
    };
    for (let i = 0; i < 10; i++) {
      const from = `+4477009${String(++phone).padStart(5, "0")}`;
      expect(await send(from, `JOIN ${poster.code}`)).toContain("Local groups need people like you.");
      expect(await send(from, "yes")).toContain("What could you offer your area?");
      await send(from, "some time");
      await send(from, "skip");
      expect(await send(from, "weekends")).toContain("What's your postcode?");
      expect(await send(from, "ST6 1AA")).toContain("These local groups would welcome your help.");
    }
    // The poster's Telegram link does the same.
    await h.telegramUpdate(textUpdate(71_777_001, `/start c_${poster.code}`));
    expect(h.telegram.textsTo(71_777_001).at(-1)).toContain("Local groups need people like you.");
    const view = await page(champion.code, champion.viewToken);
    expect(count(view.text, "reached")).toBe(String(published(11)));
    expect(view.text).toContain(`<td>Some time</td><td>${published(10)}</td>`);
    // Someone in the middle of the priorities questions who uses the poster's code carries on after.
    const from = `+4477009${String(++phone).padStart(5, "0")}`;
    for (const body of ["hi", "english", "yes"]) await send(from, body);
    expect(await send(from, `JOIN ${poster.code}`)).toContain("What could you offer your area?");
    await send(from, "lifts");
    await send(from, "skip");
    expect(await send(from, "evenings")).toContain("What's your postcode?");
    const after = await send(from, "ST6 1AA");
    expect(after).toContain("These local groups would welcome your help.");
    expect(after).toContain("Let's carry on where we were");
  });

  it("gives the same 404 for a wrong key, another champion's code, or no champion", async () => {
    const a = await champions.create("A", undefined);
    const b = await champions.create("B", undefined);
    for (const [code, key] of [
      [a.code, "wrong"],
      [a.code, b.viewToken],
      ["NOSUCH", a.viewToken],
      [a.code, ""],
    ] as const) {
      const view = await page(code, key);
      expect(view.status).toBe(404);
      expect(view.text).toContain("This link is not valid.");
    }
  });

  it("gives the champion something to share for each code: link, QR code and text instruction, and says when the figures are from", async () => {
    const champion = await champions.create("Middleport Library", undefined);
    const first = await page(champion.code, champion.viewToken);
    expect(first.text).toContain(`href="https://t.me/placevoice_test_bot?start=c_${champion.code}"`);
    expect(first.text).toContain(`By text: Text JOIN ${champion.code} to 07700 900000`);
    expect(first.text).toContain(`<img src="/champions/${champion.code}/qr.svg?key=${champion.viewToken}"`);
    expect(first.text).toMatch(/Figures as of \d{1,2} January 2026/);
    // One code: no row about coming back through "another of your codes".
    expect(first.text).not.toContain("another of your codes");

    const campaign = await champions.addCampaign(champion.code, "Poster: Port Vale");
    const second = await page(champion.code, champion.viewToken);
    expect(second.text).toContain("another of your codes");
    expect(second.text).toContain(`data-code="${campaign.code}"`);

    const qr = await h.app.request(`/champions/${campaign.code}/qr.svg?key=${encodeURIComponent(champion.viewToken)}`);
    expect(qr.status).toBe(200);
    expect(qr.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(await qr.text()).toMatch(/^<svg /);
    expect((await h.app.request(`/champions/${campaign.code}/qr.svg?key=wrong`)).status).toBe(404);
  });
});
