// The labelled evaluation set (test/fixtures/themes-eval.jsonl) through the offline analyser:
// the goals hold on the whole set, with no protected place name removed.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createTextAnalyser } from "../../src/nlp/analyse.js";
import { evaluateAnalyser, parseEvalSet } from "../../src/nlp/evaluate.js";

const examples = parseEvalSet(readFileSync(new URL("../fixtures/themes-eval.jsonl", import.meta.url), "utf8"));

describe("evaluation set", () => {
  it("is big and varied enough to mean something", () => {
    expect(examples.length).toBeGreaterThanOrEqual(180);
    const heldOut = examples.filter((e) => e.heldout).length / examples.length;
    expect(heldOut).toBeGreaterThan(0.28);
    expect(heldOut).toBeLessThan(0.32);
    expect(examples.filter((e) => e.pii.length > 0).length).toBeGreaterThanOrEqual(40);
    expect(examples.filter((e) => e.themes.length === 0).length).toBeGreaterThanOrEqual(10);
    expect(examples.filter((e) => e.themes.length >= 2).length).toBeGreaterThanOrEqual(30);
    expect(new Set(examples.flatMap((e) => e.pii.map((p) => p.type)))).toEqual(
      new Set(["phone", "email", "postcode", "address", "name", "ni-number"]),
    );
  });

  it("meets the goals: macro-F1 >= 0.85, redaction recall >= 0.95, no over-redaction", async () => {
    const analyser = createTextAnalyser();
    const report = await evaluateAnalyser(examples, (text) => analyser.invoke(text));
    expect(report.macroF1).toBeGreaterThanOrEqual(0.85);
    expect(report.pii.recall).toBeGreaterThanOrEqual(0.95);
    expect(report.overRedaction.examples).toEqual([]);
    // The held-out part on its own (reported by scripts/eval-themes.ts) is not allowed to collapse.
    const heldOut = await evaluateAnalyser(
      examples.filter((e) => e.heldout),
      (text) => analyser.invoke(text),
    );
    expect(heldOut.macroF1).toBeGreaterThanOrEqual(0.8);
  });

  it("meets the goals on the residents' held-out set, never tuned on: macro-F1 >= 0.88, exact sets >= 0.75", async () => {
    // test/fixtures/themes-eval-residents-*.jsonl, written before the tagger was changed for them
    const load = (name: string) => parseEvalSet(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"));
    const development = load("themes-eval-residents-dev.jsonl");
    const heldOut = load("themes-eval-residents-heldout.jsonl");
    expect(heldOut.length).toBeGreaterThanOrEqual(70);
    expect(heldOut.some((e) => development.some((d) => d.text === e.text))).toBe(false);
    const analyser = createTextAnalyser();
    const report = await evaluateAnalyser(heldOut, (text) => analyser.invoke(text));
    expect(report.macroF1).toBeGreaterThanOrEqual(0.88);
    expect(report.exactMatch).toBeGreaterThanOrEqual(0.75);
    expect(report.pii.recall).toBe(1);
    expect(report.overRedaction.examples).toEqual([]);
  });

  it("rejects a label whose personal detail is not in its text", () => {
    expect(() =>
      parseEvalSet(JSON.stringify({ text: "hello", themes: [], pii: [{ type: "name", value: "Kev" }] })),
    ).toThrow(/line 1: "Kev" is not in the text/);
  });
});
