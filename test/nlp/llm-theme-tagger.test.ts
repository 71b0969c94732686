// The chat-model path: structured output when a model is configured, the offline tagger when
// it fails or is too slow, and nothing personal ever sent to it.
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it, vi } from "vitest";
import { ChatModelConfigError, createChatModelFromConfig } from "../../src/nlp/chat-model.js";
import {
  createLlmThemeTagger,
  createThemeTagger,
  themeTagsSchema,
  ThemeTaggerTimeoutError,
} from "../../src/nlp/llm-theme-tagger.js";
import { createTextAnalyser } from "../../src/nlp/analyse.js";

/** A fake chat model that records what it was sent. */
class RecordingChatModel extends FakeListChatModel {
  readonly seen: BaseMessage[][] = [];
  override async _generate(
    messages: BaseMessage[],
    options?: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    this.seen.push(messages);
    return super._generate(messages, options, runManager);
  }
}

/** A fake chat model that always fails, as a provider outage would. */
class FailingChatModel extends FakeListChatModel {
  override async _generate(): Promise<ChatResult> {
    throw new Error("503 Service Unavailable");
  }
}

/**
 * A fake that answers with a tool call, as OpenAI or Anthropic models do: exercises LangChain's
 * own withStructuredOutput (zod 4 schema -> tool definition -> parsed arguments).
 */
class ToolCallingChatModel extends BaseChatModel {
  toolNames: string[] = [];
  constructor(private readonly args: Record<string, unknown>) {
    super({});
  }
  _llmType(): string {
    return "tool-calling-fake";
  }
  override bindTools(tools: readonly unknown[]): ToolCallingChatModel {
    const bound = new ToolCallingChatModel(this.args);
    bound.toolNames = tools.map(
      (t) =>
        (t as { function?: { name: string }; name?: string }).function?.name ?? (t as { name?: string }).name ?? "",
    );
    return bound;
  }
  async _generate(): Promise<ChatResult> {
    const message = new AIMessageChunk({
      content: "",
      tool_calls: [{ name: this.toolNames[0] ?? "", args: this.args, id: "call_1", type: "tool_call" }],
    });
    return { generations: [{ text: "", message }] };
  }
}

describe("createThemeTagger with a chat model", () => {
  it("works through LangChain's tool-calling structured output with the zod 4 schema", async () => {
    const tagger = createThemeTagger({ llm: new ToolCallingChatModel({ themes: ["care_support", "housing"] }) });
    expect(await tagger.invoke("it is what it is")).toEqual(["housing", "care_support"]);
  });

  it("uses the model's structured output with the theme schema", async () => {
    const llm = new RecordingChatModel({ responses: [JSON.stringify({ themes: ["digital", "young_people"] })] });
    const structured = vi.spyOn(llm, "withStructuredOutput");
    const tagger = createThemeTagger({ llm });
    // The offline tagger would say [] here: the answer can only have come from the model.
    expect(await tagger.invoke("it is what it is")).toEqual(["young_people", "digital"]);
    expect(structured).toHaveBeenCalledWith(themeTagsSchema, expect.objectContaining({ name: "theme_tags" }));
    expect(llm.seen).toHaveLength(1);
  });

  it("sends the model the redacted text only", async () => {
    const llm = new RecordingChatModel({ responses: [JSON.stringify({ themes: ["housing"] })] });
    await createThemeTagger({ llm }).invoke("I'm Dave at 12 Hanley Road, 07700 900123, the damp is awful");
    const sent = llm.seen[0]!.map((m) => String(m.content)).join("\n");
    expect(sent).toContain("I'm [name] at [address], [phone], the damp is awful");
    expect(sent).not.toMatch(/Dave|07700|12 Hanley Road/);
    expect(sent).toContain("care_support"); // the theme list is in the system prompt
  });

  it("drops anything that is not a theme id and keeps the taxonomy order", async () => {
    const llm = new FakeListChatModel({ responses: [JSON.stringify({ themes: ["transport", "housing"] })] });
    expect(await createLlmThemeTagger(llm).invoke("rent and buses")).toEqual(["housing", "transport"]);
    const wrong = new FakeListChatModel({ responses: [JSON.stringify({ themes: ["weather"] })] });
    await expect(createLlmThemeTagger(wrong).invoke("rain")).rejects.toThrow();
  });

  it("falls back to the offline tagger when the model fails", async () => {
    const tagger = createThemeTagger({ llm: new FailingChatModel({ responses: [] }) });
    expect(await tagger.invoke("potholes and fly tipping")).toEqual(["transport", "environment"]);
  });

  it("falls back to the offline tagger when the model answers nonsense", async () => {
    const tagger = createThemeTagger({ llm: new FakeListChatModel({ responses: ["I think it is about buses"] }) });
    expect(await tagger.invoke("more buses")).toEqual(["transport"]);
  });

  it("falls back to the offline tagger after the timeout", async () => {
    const slow = new FakeListChatModel({ responses: [JSON.stringify({ themes: ["digital"] })], sleep: 2_000 });
    const started = Date.now();
    expect(await createThemeTagger({ llm: slow, timeoutMs: 50 }).invoke("bins")).toEqual(["environment"]);
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect(createLlmThemeTagger(slow, 50).invoke("bins")).rejects.toBeInstanceOf(ThemeTaggerTimeoutError);
  });

  it("runs inside the analyser, redaction beside it", async () => {
    const llm = new FakeListChatModel({ responses: [JSON.stringify({ themes: ["safety"] })] });
    expect(await createTextAnalyser({ llm }).invoke("Call 07700 900123, people keep stealing bikes")).toEqual({
      themes: ["safety"],
      redacted: "Call [phone], people keep stealing bikes",
    });
  });
});

describe("createChatModelFromConfig", () => {
  it("returns nothing when no provider is configured", async () => {
    expect(await createChatModelFromConfig({})).toBeUndefined();
    expect(await createChatModelFromConfig({ provider: "  " })).toBeUndefined();
  });

  it.each([
    ["openai", "@langchain/openai"],
    ["anthropic", "@langchain/anthropic"],
    ["Ollama", "@langchain/ollama"],
  ])("names the package to install for %s", async (provider, packageName) => {
    const error = await createChatModelFromConfig({ provider, apiKey: "sk-test" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatModelConfigError);
    expect((error as Error).message).toContain(`npm install ${packageName}`);
  });

  it("rejects an unknown provider and a missing key", async () => {
    await expect(createChatModelFromConfig({ provider: "skynet" })).rejects.toThrow(
      /Unknown LLM provider "skynet".*openai, anthropic, ollama/,
    );
    await expect(createChatModelFromConfig({ provider: "anthropic" })).rejects.toThrow(/LLM_API_KEY/);
  });
});
