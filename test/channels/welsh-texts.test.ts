// Welsh built at run time: the Welsh privacy page and the organisation's Welsh name in Welsh
// messages, worded so the name needs no mutation (issue 27, part 3).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/channel-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ORGANISATION_NAME: "Gwynedd Council", ORGANISATION_NAME_CY: "Cyngor Gwynedd" });
});
afterAll(async () => {
  await h.close();
});

const say = async (address: string, text: string, languageHint?: string) =>
  (
    await h.services.conversation.handle({
      channel: "telegram",
      address,
      input: { type: "text", text },
      ...(languageHint ? { languageHint } : {}),
    })
  ).replies
    .map((r) => ("text" in r ? String(r.text) : ""))
    .join("\n");

describe("Welsh messages", () => {
  it("name the organisation in Welsh without a broken mutation, and link the Welsh privacy page", async () => {
    const hello = await say("7001", "/start", "cy");
    expect(hello).toContain("Helo, Cyngor Gwynedd sydd yma.");
    expect(hello).not.toContain("dyma Cyngor");
    const consent = await say("7001", "Cymraeg");
    expect(consent).toContain("https://placevoice.example.org/privacy?lang=cy");
    const stopped = await say("7001", "CANSLO");
    expect(stopped).toContain("Ni fydd Cyngor Gwynedd yn anfon rhagor o negeseuon atoch chi.");
    const back = await say("7001", "DECHRAU");
    expect(back).toContain("Bydd Cyngor Gwynedd yn anfon negeseuon atoch chi eto.");
  });

  it("FY NATA shows everything in Welsh: labels, answers as options, dates as Welsh writes them", async () => {
    await say("7003", "/start", "cy");
    await say("7003", "Cymraeg");
    await say("7003", "Ydy");
    await say("7003", "ST6 1AA");
    await say("7003", "Tai");
    await say("7003", "Done");
    await say("7003", "hepgor");
    const shown = await say("7003", "FY NATA");
    expect(shown).toContain("Sianel: Telegram");
    expect(shown).toContain("Negeseuon: ymlaen");
    expect(shown).toContain("- Beth sydd bwysicaf: Tai (5 Ionawr 2026)");
    expect(shown).toContain("(wedi'i hepgor)");
    expect(shown).not.toMatch(/priorities|skipped|\bon\b|2026-01-05/);
  });

  it("English messages keep the English name and page", async () => {
    const hello = await say("7002", "/start", "en");
    expect(hello).toContain("Hi, this is Gwynedd Council.");
    const consent = await say("7002", "English");
    expect(consent).toContain("https://placevoice.example.org/privacy ");
    expect(consent).not.toContain("lang=cy");
  });
});
