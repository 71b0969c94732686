// The docs' examples are code too: the example flow must lint clean and the example
// conversation test must pass against the shipped flows (docs/flows.md), and the webhook
// verification recipe must verify what PlaceVoice signs (docs/insight-and-disclosure.md).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, parseFlow } from "../src/engine/parse-flow.js";
import { checkFlowPlainEnglish } from "../src/engine/plain-english.js";
import { checkStatedQuestionCount, questionCount } from "../src/engine/question-count.js";
import { checkFlowTranslations } from "../src/engine/translation-check.js";
import { loadRegistry } from "../src/runtime-node/flow-dir.js";
import { packageRoot, shippedFlowsDir } from "../src/runtime-node/paths.js";
import { runScriptFile } from "../src/runtime-node/script-driver.js";
import { tempDir } from "./support/temp-db.js";

const flowsDoc = readFileSync(path.join(packageRoot, "docs", "flows.md"), "utf8");
const insightDoc = readFileSync(path.join(packageRoot, "docs", "insight-and-disclosure.md"), "utf8");
const yamlBlocks = [...flowsDoc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("docs examples: docs/flows.md", () => {
  it("the example flow passes the linter", () => {
    const example = yamlBlocks.find((b) => b.startsWith("id: bins"));
    expect(example).toBeDefined();
    const result = parseFlow(example!, "docs/flows.md");
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([]);
    if (!result.ok) return;
    // And the checks on its texts: the same things in both languages, plain English, a true count.
    expect(
      [
        ...checkFlowTranslations(result.flow),
        ...checkFlowPlainEnglish(result.flow),
        ...checkStatedQuestionCount(result.flow),
      ].map(formatProblem),
    ).toEqual([]);
    expect(questionCount(result.flow)).toEqual({ fewest: 1, most: 2 });
  });

  it("the example conversation test passes", async () => {
    const example = yamlBlocks.find((b) => b.startsWith("name:"));
    expect(example).toBeDefined();
    const t = tempDir();
    try {
      const file = path.join(t.dir, "readme-example.yaml");
      writeFileSync(file, example!);
      const run = await runScriptFile(file, loadRegistry(shippedFlowsDir, "priorities", "help"));
      expect(run.failures).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});

describe("docs examples: the webhook recipe in docs/insight-and-disclosure.md", () => {
  it("verifies what PlaceVoice signs, and its worked example is what PlaceVoice computes", async () => {
    const { signWebhook } = await import("../src/updates/partner-feed.js");
    const recipe = [...insightDoc.matchAll(/```js\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((b) => b.includes("function verifyPlaceVoice"));
    expect(recipe).toBeDefined();
    const t = tempDir();
    try {
      const file = path.join(t.dir, "verify.mjs");
      writeFileSync(file, `${recipe}\nexport { verifyPlaceVoice };\n`);
      const { verifyPlaceVoice } = (await import(file)) as {
        verifyPlaceVoice: (body: string, header: string, secret: string, tolerance?: number) => boolean;
      };
      const body = JSON.stringify({ id: "d1", feed: { areas: ["ST6"] } });
      const header = signWebhook("whsec_example", body, new Date());
      expect(verifyPlaceVoice(body, header, "whsec_example")).toBe(true);
      expect(verifyPlaceVoice(body.replace("ST6", "ST7"), header, "whsec_example")).toBe(false);
      expect(verifyPlaceVoice(body, header, "whsec_other")).toBe(false);
      expect(
        verifyPlaceVoice(body, signWebhook("whsec_example", body, new Date(Date.now() - 3_600_000)), "whsec_example"),
      ).toBe(false);
      const example = /the header is\s+`(t=\d+,v1=[0-9a-f]{64})`/.exec(insightDoc)![1]!;
      expect(signWebhook("whsec_test", '{"id":"d1"}', new Date(1767607200_000))).toBe(example);
    } finally {
      t.cleanup();
    }
  });
});
