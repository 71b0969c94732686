// Quick regressions for what the 10,000-request fuzzer (hostile-input.faults.test.ts, in
// `npm run test:faults`) found, kept in the default suite: words that are also names of
// Object's own properties, and control characters in a resident's free text.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testClock } from "../support/clock.js";
import { loadConfig } from "../../src/config.js";
import { detectKeyword } from "../../src/engine/keywords.js";
import { silentLogger } from "../../src/log.js";
import { createTextAnalyser } from "../../src/nlp/index.js";
import { openNodeServices, type NodeServices } from "../../src/runtime-node/services.js";
import { tempDir } from "../support/temp-db.js";

const OBJECT_WORDS = [
  "constructor",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__proto__",
  "isPrototypeOf",
  "__defineGetter__",
];

describe("words that are names of Object's properties", () => {
  it("are no keyword, as a word or as a command", () => {
    for (const word of OBJECT_WORDS) {
      expect(detectKeyword(word), word).toBeUndefined();
      expect(detectKeyword(`/${word}`), `/${word}`).toBeUndefined();
      expect(detectKeyword(`${word} cy`), `${word} cy`).toBeUndefined();
    }
  });

  it("are analysed as free text like any other words (a resident's sentence once gave a 500)", async () => {
    const analyser = createTextAnalyser();
    for (const word of OBJECT_WORDS)
      await expect(analyser.invoke(`the ${word} of the new bus station`)).resolves.toMatchObject({
        themes: ["transport"],
      });
    await expect(analyser.invoke("constructor.prototype.polluted=1")).resolves.toHaveProperty("redacted");
  });
});

describe("control characters in a free-text answer", () => {
  const dir = tempDir();
  let services: NodeServices;
  beforeAll(async () => {
    services = await openNodeServices(
      loadConfig({
        DATABASE_URL: `file:${path.join(dir.dir, "hostile.db")}`,
        APP_SECRET: "hostile-words-secret-0123456789abcdef",
      }),
      { log: silentLogger, now: testClock().now },
    );
  });
  afterAll(async () => {
    await services.close();
    dir.cleanup();
  });

  it("are not stored", async () => {
    const say = (text: string) =>
      services.conversation.handle({ channel: "sms", address: "+447700990001", input: { type: "text", text } });
    for (const text of ["hi", "English", "yes", "st6 1aa", "2, 6"]) await say(text);
    await say("More\u0000 buses\u0007 at night\u001b[31m\nand on Sundays\u007f");
    const contact = await services.prisma.contact.findFirstOrThrow();
    const answers = await services.store.answersOf(contact.id);
    expect(answers.find((a) => a.questionKey === "biggest_difference")?.value).toBe(
      "More buses at night[31m and on Sundays",
    );
  });
});
