// Plain English for a reading age of about 9 to 11 in every resident-facing English text: short
// sentences, common words, no "e.g.", no negative contractions, no ISO dates.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { residentStringTables } from "../../src/ops/flows-lint.js";
import { parseUrgentLexicon } from "../../src/directory/urgent.js";
import { checkFlowPlainEnglish, MAX_SENTENCE_WORDS, plainEnglishProblems } from "../../src/engine/plain-english.js";
import { repoRoot, shippedFlows } from "./helpers.js";

describe("plain English", () => {
  it.each([
    ["Try again, e.g. ST6 1AA.", ['"e.g.": write "for example"']],
    ["Reply DELETE to erase it.", ['"erase": write "delete"']],
    ["Your chat id is stored encrypted.", ['"encrypted": write "in a code no one else can read"']],
    ["Came via code.", ['"via": write "through, or by"']],
    ["You won't hear from us.", ['"won\'t": write it in full ("do not", "cannot"), which is not misread']],
    ["First message: 2026-12-03", ['"2026-12-03": write dates as people do ("3 December 2026")']],
  ])("%j: %j", (text, problems) => {
    expect(plainEnglishProblems(text)).toEqual(problems);
  });

  it(`finds a sentence over ${MAX_SENTENCE_WORDS} words, like the old list of keywords`, () => {
    const old =
      "Reply STOP to stop messages (START to come back), LANGUAGE to change language, MYDATA to see what we hold about you, DELETE to erase it. More: {privacy_url}";
    expect(plainEnglishProblems(old)).toEqual([
      '"erase": write "delete"',
      'a sentence of 25 words ("Reply STOP to stop messages (START to co…"): keep to 20 or fewer',
    ]);
  });

  it("accepts short sentences of common words, with placeholders and links", () => {
    expect(
      plainEnglishProblems(
        "We only share totals. Privacy notice: {privacy_url} More: https://example.org/privacy.html",
      ),
    ).toEqual([]);
  });
});

describe("the shipped English", () => {
  it("is plain in every flow", () => {
    for (const flow of shippedFlows()) expect(checkFlowPlainEnglish(flow), flow.id).toEqual([]);
  });

  it("is plain in the host's own words", () => {
    for (const table of residentStringTables) {
      for (const [key, text] of Object.entries(table.strings))
        expect(plainEnglishProblems(text.en ?? ""), `${table.name}.${key}`).toEqual([]);
    }
  });

  it("is plain in the urgent-needs introductions", () => {
    const lexicon = parseUrgentLexicon(readFileSync(path.join(repoRoot, "flows/lexicons/urgent-needs.yaml"), "utf8"));
    for (const kind of lexicon.kinds) expect(plainEnglishProblems(kind.intro.en ?? ""), kind.id).toEqual([]);
  });
});
