import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { segmentInfo, toGsmFriendly } from "../../src/channels/sms/gsm.js";
import { checkSmsLength } from "../../src/channels/sms/lint.js";
import { renderSms } from "../../src/channels/sms/render.js";
import { formatProblem, parseFlow } from "../../src/engine/parse-flow.js";

describe("SMS segment counting", () => {
  it.each([
    ["", "GSM-7", 0, 1],
    ["a".repeat(160), "GSM-7", 160, 1],
    ["a".repeat(161), "GSM-7", 161, 2],
    ["a".repeat(306), "GSM-7", 306, 2],
    ["a".repeat(307), "GSM-7", 307, 3],
    ["€".repeat(80), "GSM-7", 160, 1], // extension characters take two septets
    ["{".repeat(81), "GSM-7", 162, 2],
    ["ŵ".repeat(70), "UCS-2", 70, 1],
    ["ŵ".repeat(71), "UCS-2", 71, 2],
    ["a".repeat(133) + "ŷ", "UCS-2", 134, 2],
    ["🙂".repeat(35), "UCS-2", 70, 1], // an emoji is two UTF-16 units
  ])("%#: %j is %s, %i units, %i segment(s)", (text, encoding, units, segments) => {
    expect(segmentInfo(text)).toEqual({ encoding, units, segments });
  });

  it("counts exactly as the GSM 03.38 tables say, character by character, for any text", () => {
    // The definition, one character at a time: what the pattern-based counting must agree with.
    const basic = new Set(
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
    );
    const extended = new Set("^{}\\[~]|€\f");
    const reference = (text: string) => {
      let septets = 0;
      for (const ch of text) {
        if (basic.has(ch)) septets += 1;
        else if (extended.has(ch)) septets += 2;
        else
          return {
            encoding: "UCS-2",
            units: text.length,
            segments: text.length <= 70 ? 1 : Math.ceil(text.length / 67),
          };
      }
      return { encoding: "GSM-7", units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
    };
    const gsmish = fc.constantFrom(
      ..."aZ09 @£€{}[]~^|\\\f\n\rÅñü§¿ΔΩ",
      "ŵ",
      "ŷ",
      "🙂",
      "’",
      "–",
      "\u00a0",
      "é",
      "ê",
      "ç",
      "\u0000",
    );
    const texts = fc.oneof(
      fc.string({ unit: gsmish, maxLength: 400 }),
      fc.string({ unit: "grapheme", maxLength: 200 }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(segmentInfo(text)).toEqual(reference(text));
      }),
      { numRuns: 2000 },
    );
  });

  it("replaces typography that would force UCS-2, and leaves Welsh letters alone", () => {
    const text = toGsmFriendly("“Don’t” – wait… it’s 9 a.m.\u00a0sharp");
    expect(text).toBe("\"Don't\" - wait... it's 9 a.m. sharp");
    expect(segmentInfo(text).encoding).toBe("GSM-7");
    expect(toGsmFriendly("grŵp hŷn")).toBe("grŵp hŷn");
  });
});

describe("SMS replies", () => {
  it("joins the replies of one step into one message when they fit", () => {
    const messages = renderSms(
      [
        { type: "send", text: "Got it: ST6." },
        {
          type: "ask",
          flowId: "f",
          nodeId: "n",
          key: "k",
          kind: "yes_no",
          text: "Is that OK?",
          options: [],
          step: 1,
          refresh: false,
          reprompt: false,
        },
      ],
      "en",
      3,
    );
    expect(messages).toEqual(["Got it: ST6.\n\nIs that OK?\n\nReply YES or NO."]);
  });

  it("splits at paragraph boundaries rather than exceed the budget", () => {
    const long = Array.from({ length: 6 }, (_, i) => `Paragraph ${i + 1}: ${"word ".repeat(20).trim()}.`).join("\n\n");
    const messages = renderSms([{ type: "send", text: long }], "en", 1);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(segmentInfo(m).segments).toBe(1);
    expect(messages.join("\n\n")).toBe(long);
  });

  it("lets the author allow a longer text for one node", () => {
    const long = "word ".repeat(100).trim();
    expect(renderSms([{ type: "send", text: long, smsSegments: 4 }], "en", 3)).toEqual([long]);
  });
});

describe("flow lint for SMS length", () => {
  const flow = (extra: string) =>
    parseFlow(
      `id: long
name: Long
nodes:
  - id: intro
    type: message
    text: "${"This is a very long introduction. ".repeat(15).trim()}"
${extra}  - id: done
    type: end
`,
      "long.yaml",
    );

  it("reports a text over the budget with file, line and node", () => {
    const parsed = flow("");
    if (!parsed.ok) throw new Error("flow should parse");
    const problems = checkSmsLength(parsed.flow, { maxSegments: 3, languages: ["en"], variables: {} });
    expect(problems.map(formatProblem)).toEqual([
      'long.yaml:4: node "intro": the en SMS is 4 segments (509 GSM-7 characters), over the budget of 3: shorten it or allow it with sms_segments: 4',
    ]);
  });

  it("accepts it when the author allows more segments", () => {
    const parsed = parseFlow(
      `id: long
name: Long
nodes:
  - id: intro
    type: message
    sms_segments: 4
    text: "${"This is a very long introduction. ".repeat(15).trim()}"
  - id: done
    type: end
`,
      "long.yaml",
    );
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join("\n"));
    expect(checkSmsLength(parsed.flow, { maxSegments: 3, languages: ["en"], variables: {} })).toEqual([]);
  });
});
