// The evaluation of scripts/eval-themes.ts run against a chat model, as the service would use
// one: a fake provider in place of a real one. Its own answers are scored; on error or timeout
// the offline tagger answers, and the evaluation says how often.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { evaluateThemeSets } from "../../scripts/eval-themes.js";

const heldOutFile = fileURLToPath(new URL("../fixtures/themes-eval-residents-heldout.jsonl", import.meta.url));
const figures = (r: Awaited<ReturnType<typeof evaluateThemeSets>>) =>
  r.parts.map((p) => ({ part: p.key, macroF1: p.report.macroF1, exact: p.report.exactMatch }));

class FailingChatModel extends FakeListChatModel {
  override async _generate(): Promise<ChatResult> {
    throw new Error("503 Service Unavailable");
  }
}

describe("eval:themes with a chat model", () => {
  it("scores what the model answers", async () => {
    // A model that hears housing in everything: perfect recall for housing, little else.
    const llm = new FakeListChatModel({ responses: [JSON.stringify({ themes: ["housing"] })] });
    const result = await evaluateThemeSets({ llm, file: heldOutFile });
    expect(result.fellBack).toBe(0);
    expect(result.messages).toBe(72);
    const report = result.parts.find((p) => p.key === "all")!.report;
    const housing = report.themes.find((t) => t.theme === "housing")!;
    expect(housing).toMatchObject({ support: 5, truePositives: 5, falsePositives: 67, recall: 1 });
    // Exactly right only where housing is the one theme.
    const housingOnly = readFileSync(heldOutFile, "utf8")
      .split("\n")
      .filter((l) => l.includes('"themes":["housing"]'));
    expect(report.exactMatch).toBeCloseTo(housingOnly.length / 72);
  });

  it("falls back to the offline tagger on error, and counts it", async () => {
    const offline = await evaluateThemeSets({ file: heldOutFile });
    const failing = await evaluateThemeSets({ llm: new FailingChatModel({ responses: [] }), file: heldOutFile });
    expect(failing.fellBack).toBe(72);
    expect(figures(failing)).toEqual(figures(offline));
  });

  it("falls back on timeout", async () => {
    const slow = new FakeListChatModel({ responses: [JSON.stringify({ themes: ["digital"] })], sleep: 500 });
    const result = await evaluateThemeSets({ llm: slow, timeoutMs: 5, file: heldOutFile });
    expect(result.fellBack).toBe(72);
    expect(result.parts[0]!.report.macroF1).toBeGreaterThanOrEqual(0.88);
  }, 30_000);

  it("says plainly, with exit code 2, when no provider is configured", async () => {
    const env = { ...process.env, LLM_PROVIDER: "" };
    const run = promisify(execFile)("node", ["bin/run-ts.js", "scripts/eval-themes.ts", "--llm"], {
      cwd: fileURLToPath(new URL("../..", import.meta.url)),
      env,
    });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: "--llm needs LLM_PROVIDER (openai, anthropic or ollama) set\n",
    });
  }, 30_000);
});
