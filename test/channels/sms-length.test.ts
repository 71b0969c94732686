import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { segmentInfo, toGsmFriendly } from "../../src/channels/sms/gsm.js";
import {
  checkSmsLength,
  formatSegmentTable,
  overBudget,
  smsSegmentRows,
  stringSegmentRows,
} from "../../src/channels/sms/lint.js";
import { renderSms } from "../../src/channels/sms/render.js";
import { residentStringTables } from "../../src/ops/flows-lint.js";
import { formatProblem, parseFlow } from "../../src/engine/parse-flow.js";
import type { SignpostService } from "../../src/engine/types.js";
import { loadFlows } from "../../src/runtime-node/flow-dir.js";
import { packageRoot } from "../../src/runtime-node/paths.js";

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

describe("a flow's stated SMS budget", () => {
  const flowWith = (budget: string, nodeExtra = "") =>
    parseFlow(
      `id: short
name: Short
languages: [en, cy]
${budget}nodes:
  - id: intro
    type: message
${nodeExtra}    text:
      en: "${"Some words here. ".repeat(9).trim()}"
      cy: "${"Rhai geiriau yma. ".repeat(10).trim()}"
  - id: done
    type: end
`,
      "short.yaml",
    );
  const options = { maxSegments: 3, languages: ["en", "cy"], variables: {} };

  it("fails a text over the flow's sms_budget, in the language it is over in", () => {
    const parsed = flowWith("sms_budget: 1\n");
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join("\n"));
    expect(checkSmsLength(parsed.flow, options).map(formatProblem)).toEqual([
      'short.yaml:6: node "intro": the cy SMS is 2 segments (179 GSM-7 characters), over the budget of 1: shorten it or allow it with sms_segments: 2',
    ]);
  });

  it("lets one node take more than the flow's budget", () => {
    const parsed = flowWith("sms_budget: 1\n", "    sms_segments: 2\n");
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join("\n"));
    expect(checkSmsLength(parsed.flow, options)).toEqual([]);
  });

  it("reports each text's encoding and segments per language, and marks Welsh that costs more", () => {
    const parsed = parseFlow(
      `id: w
name: W
languages: [en, cy]
nodes:
  - id: group
    type: end
    text: { en: "Never a group smaller than 10 people, and we keep only part of your postcode.", cy: "Byth grŵp llai na 10 o bobl, a dim ond rhan o'ch cod post rydyn ni'n ei chadw." }
`,
      "w.yaml",
    );
    if (!parsed.ok) throw new Error(parsed.problems.map(formatProblem).join("\n"));
    const rows = smsSegmentRows(parsed.flow, options);
    expect(rows[0]!.byLanguage).toEqual({
      en: { encoding: "GSM-7", units: 77, segments: 1 },
      cy: { encoding: "UCS-2", units: 78, segments: 2 },
    });
    expect(formatSegmentTable(rows, ["en", "cy"])).toEqual([
      "where  message  budget  en            cy",
      "w      group    3       1 GSM-7 (77)  2 UCS-2 (78) +",
    ]);
  });
});

describe("the shipped texts as SMS", () => {
  const options = {
    maxSegments: 3,
    languages: ["en", "cy"],
    variables: {
      privacy_url: "https://placevoice.example.org/privacy",
      organisation: "PlaceVoice",
      max: "3",
      min: "1",
    },
    languageVariables: { cy: { privacy_url: "https://placevoice.example.org/privacy?lang=cy" } },
  };

  it("are GSM-7 in Welsh as in English (no ô, ŵ, ŷ or â sends one as UCS-2), within budget, Welsh no longer", () => {
    const flowsDir = path.join(packageRoot, "flows");
    const rows = loadFlows(flowsDir).flows.flatMap((flow) => smsSegmentRows(flow, options));
    for (const table of residentStringTables.filter((t) => t.sms))
      rows.push(
        ...stringSegmentRows(table.name, table.strings, { ...options, budget: (k) => table.sms!.segments[k] ?? 1 }),
      );
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) {
      for (const [language, info] of Object.entries(row.byLanguage)) {
        expect(info.encoding, `${row.source} ${row.item} (${language})`).toBe("GSM-7");
        expect(info.segments, `${row.source} ${row.item} (${language})`).toBeLessThanOrEqual(row.budget);
      }
    }
    expect(overBudget(rows)).toEqual([]);
    // And Welsh costs no more segments than English, text by text.
    for (const row of rows)
      expect(row.byLanguage.cy!.segments, `${row.source} ${row.item}`).toBeLessThanOrEqual(row.byLanguage.en!.segments);
  });

  it("include the help texts in one segment each in both languages (the list of words in two)", () => {
    const help = loadFlows(path.join(packageRoot, "flows")).flows.find((f) => f.id === "help")!;
    const segments = smsSegmentRows(help, options).map((r) => [
      r.item,
      r.byLanguage.en!.segments,
      r.byLanguage.cy!.segments,
    ]);
    expect(segments).toEqual([
      ["about", 1, 1],
      ["who_sees", 1, 1],
      ["your_choices", 2, 2],
    ]);
  });

  it("list three services in Welsh in as many segments as in English ('Ffoniwch', not 'Ffôn')", () => {
    const services = (language: "en" | "cy"): SignpostService[] =>
      [1, 2, 3].map((n) => ({
        id: `s${n}`,
        name: language === "cy" ? `Gwasanaeth ${n}` : `Service ${n}`,
        summary: language === "cy" ? "Cyngor am ddim." : "Free advice.",
        phone: `0800 111 22${n}`,
        hours: language === "cy" ? "Llun-Gwe 9yb-5yh" : "Mon-Fri 9am-5pm",
        openNow: false,
      }));
    const sms = (language: "en" | "cy") =>
      renderSms(
        [
          {
            type: "signpost",
            flowId: "priorities",
            nodeId: "local_help",
            text:
              language === "cy"
                ? "Dyma rai gwasanaethau lleol a allai helpu:"
                : "Here are some local services that could help:",
            services: services(language),
            fallback: [],
          },
        ],
        language,
        3,
      );
    const [english, welsh] = [sms("en"), sms("cy")];
    expect(welsh).toHaveLength(1);
    expect(welsh[0]).toContain("Ffoniwch 0800 111 221");
    expect(segmentInfo(welsh[0]!)).toMatchObject({ encoding: "GSM-7", segments: segmentInfo(english[0]!).segments });
  });
});
