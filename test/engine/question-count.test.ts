// The consent message says how many questions follow, and it is true: the number is counted
// from the flow ({questions}), and a number written by hand that is not true fails the lint.
import { describe, expect, it } from "vitest";
import { checkStatedQuestionCount, questionCount } from "../../src/engine/question-count.js";
import { formatProblem } from "../../src/engine/parse-flow.js";
import {
  asks,
  Chat,
  flowFrom,
  lastAsk,
  payloadOf,
  registryOf,
  saves,
  shippedFlows,
  shippedRegistry,
} from "./helpers.js";
import type { AskEffect } from "./helpers.js";

const flow = (id: string) => shippedFlows().find((f) => f.id === id)!;

/** Answers whatever is asked (skipping where it may), and returns the questions answered after consent. */
function answerEverything(chat: Chat, reply: (ask: AskEffect) => void): string[] {
  const answered: string[] = [];
  for (let turn = 0; turn < 20 && chat.session; turn++) {
    const ask = lastAsk(chat.last.effects);
    reply(ask);
    answered.push(...saves(chat.last.effects).map((s) => s.key));
  }
  return answered;
}

describe("how many questions a flow asks", () => {
  it("counts the shipped flows' questions after consent, the language question aside", () => {
    expect(questionCount(flow("priorities"))).toEqual({ fewest: 7, most: 7 });
    expect(questionCount(flow("feedback"))).toEqual({ fewest: 2, most: 2 });
    expect(questionCount(flow("update_reply"))).toEqual({ fewest: 1, most: 1 });
    expect(questionCount(flow("help"))).toEqual({ fewest: 0, most: 0 });
  });

  it("the priorities consent says 7, and a resident who agrees is asked exactly 7", () => {
    const chat = new Chat(shippedRegistry());
    chat.start();
    chat.say("English");
    expect(lastAsk(chat.last.effects).text).toMatch(/^It's 7 quick questions\./);
    chat.say("yes");
    const answered = answerEverything(chat, (ask) => {
      if (ask.skipPayload) chat.press(ask.skipPayload);
      else if (ask.kind === "multi_choice") {
        chat.press(payloadOf(ask, "housing"));
        chat.press(ask.donePayload!);
      } else chat.press(ask.options[0]!.payload);
    });
    expect(answered).toEqual([
      "postcode",
      "priorities",
      "biggest_difference",
      "age_band",
      "wants_help",
      "hear_back",
      "could_offer",
    ]);
  });

  it("says it in Welsh too, in a form that needs no mutation for any number", () => {
    const chat = new Chat(shippedRegistry());
    chat.start();
    chat.say("Cymraeg");
    expect(lastAsk(chat.last.effects).text).toMatch(/^Mae'n 7 o gwestiynau cyflym\./);
  });

  it.each([
    ["a low rating", "1", "what_was_hard"],
    ["a high rating", "5", "improve"],
  ])("the feedback consent says 2, and after %s 2 are asked", (_, rating, second) => {
    const chat = new Chat(registryOf(shippedFlows(), "feedback"));
    chat.start("feedback");
    expect(asks(chat.last.effects)[0]!.text).toMatch(/There are 2 questions/);
    chat.say("yes");
    chat.say(rating);
    expect(saves(chat.last.effects).map((s) => s.key)).toEqual(["rating"]);
    chat.press(lastAsk(chat.last.effects).skipPayload!);
    expect(saves(chat.last.effects).map((s) => s.key)).toEqual([second]);
    expect(chat.session).toBeNull();
  });

  it("takes the fewest and the most over branches, and {questions} says the most", () => {
    const branching = flowFrom(`
id: branching
name: Branching
nodes:
  - id: consent
    type: consent
    declined: bye
    text: "It's {questions} questions at most. OK?"
  - id: first
    type: question
    input: yes_no
    text: "First?"
  - id: route
    type: branch
    on: { answer: first }
    cases:
      - when: { equals: true }
        goto: second
    default: bye
  - id: second
    type: question
    input: text
    text: "Second?"
  - id: bye
    type: end
`);
    expect(questionCount(branching)).toEqual({ fewest: 1, most: 2 });
    const chat = new Chat(registryOf([branching], "branching"));
    chat.start();
    expect(lastAsk(chat.last.effects).text).toBe("It's 2 questions at most. OK?");
  });
});

describe("a number of questions written by hand", () => {
  const consent = (en: string, cy: string) =>
    flowFrom(
      `
id: survey
name: Survey
languages: [en, cy]
nodes:
  - id: consent
    type: consent
    declined: bye
    text: { en: "${en}", cy: "${cy}" }
  - id: one
    type: question
    input: text
    text: { en: "One?", cy: "Un?" }
  - id: two
    type: question
    input: text
    text: { en: "Two?", cy: "Dau?" }
  - id: bye
    type: end
`,
      "survey.yaml",
    );

  it("fails the lint when it is not the number the flow asks", () => {
    const problems = checkStatedQuestionCount(consent("It's 4 quick questions. OK?", "Mae'n 4 cwestiwn cyflym. Iawn?"));
    expect(problems.map(formatProblem)).toEqual([
      'survey.yaml:6: node "consent": the en text says "4 quick questions" but the flow asks 2 after consent: write {questions}, which counts them',
      'survey.yaml:6: node "consent": the cy text says "4 cwestiwn" but the flow asks 2 after consent: write {questions}, which counts them',
    ]);
  });

  it("passes when it is true, in either language's form", () => {
    expect(checkStatedQuestionCount(consent("It's 2 questions. OK?", "Mae 2 gwestiwn. Iawn?"))).toEqual([]);
    expect(
      checkStatedQuestionCount(consent("It's {questions} questions. OK?", "Mae {questions} o gwestiynau.")),
    ).toEqual([]);
  });
});
