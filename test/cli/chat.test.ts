// The terminal simulator, driven as an author would script it: replies piped on stdin.
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("placevoice chat", () => {
  it("walks the whole priorities flow from piped stdin and shows what was stored", async () => {
    const replies = [
      "english",
      "yes",
      "ST6 1AA",
      "2, 6 and housing",
      "A bus after 7pm to get home from work",
      "3",
      "no",
      "yes",
      "no",
    ];
    const result = await runCli(["chat", "priorities"], { input: `${replies.join("\n")}\n` });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    // The bot's side, in order, with options numbered as on SMS.
    const expectedInOrder = [
      "bot> Hi, this is PlaceVoice",
      "1. English",
      "2. Cymraeg",
      "you> english",
      "Your answers are anonymous",
      "you> yes",
      "What's your postcode?",
      "bot> Got it: ST6.",
      "What matters most to you in your area? Pick up to 3.",
      "12. Care and support",
      "Reply with up to 3 numbers, for example 1,3.",
      "bot> Got it: Cost of living, Buses and transport and Housing.",
      "What one thing would make the biggest difference",
      "which age group are you in?",
      "bot> Got it: 25-34.",
      "Would you like details of local services",
      "you> no",
      "Can we message you later to say what changed",
      "you> yes",
      "is there anything you could offer your area",
      "you> no",
      "bot> Thanks again.",
      "(conversation ended)",
      "Stored answers:",
      '  priorities.postcode = "ST6"',
      "  priorities.priorities = cost_of_living, transport, housing",
      '  priorities.biggest_difference = "A bus after 7pm to get home from work"',
      '  priorities.age_band = "age_25_34"',
      "  priorities.wants_help = false",
      "  priorities.hear_back = true",
      "  priorities.could_offer = false",
      "Contact: language=en area=ST6 consent=2026-11 status=active",
    ];
    let from = 0;
    for (const text of expectedInOrder) {
      const at = out.indexOf(text, from);
      expect(at, `expected "${text}" after position ${from} in:\n${out}`).toBeGreaterThanOrEqual(from);
      from = at + text.length;
    }
    // The full postcode is reduced to its district and never stored.
    expect(out).not.toContain('priorities.postcode = "ST6 1AA"');
  });

  it("talks Welsh with --lang cy once Cymraeg is chosen", async () => {
    const result = await runCli(["chat", "priorities", "--lang", "cy"], { input: "2\nie\nhepgor\n" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("bot> Helo, PlaceVoice sydd yma");
    expect(result.stdout).toContain("Atebwch IE neu NA.");
    expect(result.stdout).toContain("Beth sydd bwysicaf i chi yn eich ardal?");
    expect(result.stdout).toContain("(conversation left unfinished)");
    expect(result.stdout).toContain("priorities.postcode = null");
  });

  it("names the available flows when asked for one that does not exist", async () => {
    const result = await runCli(["chat", "nope"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('No flow "nope". Flows: feedback, help, offers, priorities');
  });
});
