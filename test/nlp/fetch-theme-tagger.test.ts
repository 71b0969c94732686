// The Worker's chat-model tagger (plain fetch, no LangChain) against a local fake of an
// OpenAI-compatible server over HTTP: the same prompt and tool as the LangChain tagger, only
// redacted text sent, and the offline tagger's answer on an error, a timeout or a malformed reply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFetchThemeTagger, fetchTaggerProblem } from "../../src/nlp/fetch-theme-tagger.js";
import { tagThemes } from "../../src/nlp/offline-theme-tagger.js";
import { THEME_TAGS_PROMPT } from "../../src/nlp/theme-prompt.js";
import { FakeLlm } from "../support/fake-llm.js";

const llm = new FakeLlm();
let baseUrl = "";
beforeAll(async () => {
  baseUrl = await llm.start();
});
afterAll(() => llm.stop());

describe("the fetch theme tagger (Workers)", () => {
  it("asks for the theme_tags tool with the shared prompt, sends only redacted text, and keeps the model's themes in taxonomy order", async () => {
    llm.answer = () => ({ toolArguments: { themes: ["transport", "community_spaces"] } });
    const fallbacks: string[] = [];
    const tag = createFetchThemeTagger(
      { provider: "openai", apiKey: "sk-test", baseUrl, model: "test-model" },
      { onFallback: (reason) => fallbacks.push(reason) },
    );
    const text = "Ring Dave Smith on 07700 900123 about a hall for the youth club";
    expect(await tag(text)).toEqual(["transport", "community_spaces"]);
    expect(fallbacks).toEqual([]);
    const sent = llm.requests.at(-1)!;
    expect(sent.model).toBe("test-model");
    expect(sent.authorization).toBe("Bearer sk-test");
    expect(sent.messages[0]).toEqual({ role: "system", content: THEME_TAGS_PROMPT });
    expect(sent.tools?.[0]?.function.name).toBe("theme_tags");
    expect(sent.tool_choice).toEqual({ type: "function", function: { name: "theme_tags" } });
    expect(llm.userTexts().at(-1)).not.toMatch(/07700|900123|Dave|Smith/);
    expect(llm.userTexts().at(-1)).toContain("[phone]");
  });

  it("answers offline on an HTTP error, on a reply that is not a tool call, on themes outside the taxonomy, and after the timeout", async () => {
    const fallbacks: string[] = [];
    const tag = createFetchThemeTagger(
      { provider: "ollama", baseUrl },
      { timeoutMs: 300, onFallback: (reason) => fallbacks.push(reason) },
    );
    const text = "The potholes on the high street and no buses after six";
    const offline = tagThemes(text);
    expect(offline.length).toBeGreaterThan(0);
    for (const answer of [
      () => ({ status: 500 }),
      () => ({ toolArguments: "not an object" }),
      () => ({ toolArguments: { themes: ["weather"] } }),
      () => "hang" as const,
    ]) {
      llm.answer = answer;
      expect(await tag(text)).toEqual(offline);
    }
    expect(fallbacks).toEqual(["error", "error", "error", "timeout"]);
    expect(llm.requests.at(-1)!.authorization).toBeUndefined();
  });

  it("says what is wrong with a configuration it cannot use", () => {
    expect(fetchTaggerProblem({ provider: "anthropic", apiKey: "k" })).toMatch(/not available on Workers/);
    expect(fetchTaggerProblem({ provider: "ollama" })).toMatch(/needs LLM_BASE_URL/);
    expect(fetchTaggerProblem({ provider: "openai" })).toMatch(/needs an API key/);
    expect(fetchTaggerProblem({ provider: "OpenAI", apiKey: "k" })).toBeNull();
  });
});
