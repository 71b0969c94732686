// One source of truth for both languages: every resident-facing text exists in each language
// and carries the same things (sentences, questions, lines, placeholders, numbers, links, the
// keywords it tells people to send), checked without a translator.
import { describe, expect, it } from "vitest";
import { residentStringTables } from "../../src/ops/flows-lint.js";
import { checkFlowTranslations, compareTranslations, textFacts } from "../../src/engine/translation-check.js";
import { formatProblem } from "../../src/engine/parse-flow.js";
import { flowFrom, shippedFlows } from "./helpers.js";

const both = ["en", "cy"];

describe("what a text carries", () => {
  it("counts sentences and questions, and ignores the full stops of links and placeholders", () => {
    const facts = textFacts(
      "It's {questions} questions. Privacy notice: {privacy_url} See https://example.org/a.b. Is that OK?",
    );
    expect(facts).toMatchObject({
      sentences: 3,
      questions: 1,
      placeholders: ["{privacy_url}", "{questions}"],
      urls: ["https://example.org/a.b"],
    });
  });

  it("reads keywords by what they do, in either language", () => {
    expect(textFacts("Reply STOP to stop, START to come back, HELP, MYDATA, DELETE YES, YES or NO.").keywords).toEqual([
      "delete yes",
      "help",
      "mydata",
      "no",
      "start",
      "stop",
      "yes",
    ]);
    expect(textFacts("Atebwch STOP, DECHRAU, CYMORTH, FY NATA, DILEU IE, IE neu NA.").keywords).toEqual([
      "delete yes",
      "help",
      "mydata",
      "no",
      "start",
      "stop",
      "yes",
    ]);
    // Capitals that are no keyword (UK, DU, ID) are not compared.
    expect(textFacts("A UK postcode. Cod post yn y DU, ID sgwrs.").keywords).toEqual([]);
  });

  it("counts lines and list items", () => {
    expect(textFacts("Words:\nSTOP to stop\n- one\n- two\n3. three")).toMatchObject({ lines: 5, bullets: 3 });
  });
});

describe("comparing translations", () => {
  it("accepts a faithful translation", () => {
    expect(
      compareTranslations(
        {
          en: "You can send these words:\nSTOP to stop messages\nHELP to find out more\nMore: {privacy_url}",
          cy: "Gallwch anfon y geiriau hyn:\nSTOP i atal negeseuon\nCYMORTH i gael gwybod mwy\nMwy: {privacy_url}",
        },
        both,
      ),
    ).toEqual([]);
  });

  it.each([
    [
      "a dropped sentence",
      { en: "Thank you. We will share it. Reply STOP to stop.", cy: "Diolch. Atebwch STOP i atal." },
      ["cy has 2 sentences, en has 3 sentences"],
    ],
    [
      "a missing placeholder",
      { en: "Privacy notice: {privacy_url}", cy: "Hysbysiad preifatrwydd: https://example.org/privacy" },
      [
        "placeholders differ: cy has none, en has {privacy_url}",
        "links differ: cy has https://example.org/privacy, en has none",
      ],
    ],
    [
      "a different number",
      { en: "Each total is at least 10 people.", cy: "Mae pob cyfanswm yn 5 o bobl o leiaf." },
      ["numbers differ: cy has 5, en has 10"],
    ],
    [
      "a phone number written differently",
      { en: "Tel 0800 111 999.", cy: "Ffoniwch 0800 111 990." },
      ["numbers differ: cy has 0800, 111, 990, en has 0800, 111, 999"],
    ],
    [
      "a keyword that does something else",
      { en: "Reply HELP for more.", cy: "Atebwch DILEU am fwy." },
      ["keywords differ: cy has delete, en has help"],
    ],
    [
      "the English keyword left in Welsh text is fine, a missing one is not",
      { en: "Reply STOP or START.", cy: "Atebwch STOP." },
      ["keywords differ: cy has stop, en has start, stop"],
    ],
    [
      "a question turned into a statement",
      { en: "Is that OK?", cy: "Iawn." },
      ["cy has 0 questions, en has 1 question"],
    ],
    [
      "a list item dropped",
      { en: "Words:\nSTOP to stop\nSTART to start", cy: "Geiriau:\nSTOP i atal" },
      [
        "cy has 2 sentences, en has 3 sentences",
        "cy has 2 lines, en has 3 lines",
        "keywords differ: cy has stop, en has start, stop",
      ],
    ],
    ["a missing translation", { en: "Hello." }, ['no "cy" text']],
  ])("reports %s", (_, text, expected) => {
    expect(compareTranslations(text, both)).toEqual(expected);
  });

  it("names the file, line and node of a flow text that drops a sentence", () => {
    const flow = flowFrom(
      `id: f
name: F
languages: [en, cy]
nodes:
  - id: hello
    type: end
    text:
      en: "Thanks. We keep only the first part of your postcode."
      cy: "Diolch."
`,
      "f.yaml",
    );
    expect(checkFlowTranslations(flow).map(formatProblem)).toEqual([
      'f.yaml:5: node "hello": text: cy has 1 sentence, en has 2 sentences',
    ]);
  });
});

describe("the shipped texts", () => {
  it("say the same things in English and Welsh, in every flow (texts, re-prompts, option labels)", () => {
    for (const flow of shippedFlows()) expect(checkFlowTranslations(flow).map(formatProblem), flow.id).toEqual([]);
  });

  it("and in every table of the host's own words", () => {
    for (const table of residentStringTables) {
      for (const [key, text] of Object.entries(table.strings))
        expect(compareTranslations(text, both), `${table.name}.${key}`).toEqual([]);
    }
  });
});
