// `placevoice themes`: JSON lines in, one JSON line out per input, in order.
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { themesCommand } from "../../src/cli/themes.js";
import type { ChatModelConfig } from "../../src/nlp/chat-model.js";

function pipe(lines: readonly string[], env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdin: Readable.from([lines.join("\n") + "\n"]),
    out: (line: string) => out.push(line),
    err: (line: string) => err.push(line),
    env,
  };
  return { io, out, err };
}

describe("themesCommand", () => {
  it("answers each line in order, reports a bad line in its place and carries on", async () => {
    const { io, out, err } = pipe([
      JSON.stringify({ text: "Call me on 07700 900123 about the damp at 12 Hanley Road" }),
      "this is not json",
      JSON.stringify({ txt: "wrong field" }),
      "",
      JSON.stringify({ text: "bins" }),
      JSON.stringify({ text: "nothing really" }),
    ]);
    expect(await themesCommand([], io)).toBe(1);
    expect(out.map((line) => JSON.parse(line))).toEqual([
      {
        text: "Call me on 07700 900123 about the damp at 12 Hanley Road",
        themes: ["housing"],
        redacted: "Call me on [phone] about the damp at [address]",
      },
      { error: expect.stringMatching(/^line 2: not JSON/) },
      { error: expect.stringMatching(/^line 3: expected an object with a "text" string/) },
      { text: "bins", themes: ["environment"], redacted: "bins" },
      { text: "nothing really", themes: [], redacted: "nothing really" },
    ]);
    expect(err.join("\n")).toContain("2 line(s) could not be read");
  });

  it("exits 0 when every line is good, and keeps order over many lines", async () => {
    const texts = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? `bus number ${i}` : `bins ${i}`));
    const { io, out } = pipe(texts.map((text) => JSON.stringify({ text })));
    expect(await themesCommand([], io)).toBe(0);
    expect(out.map((line) => (JSON.parse(line) as { text: string }).text)).toEqual(texts);
  });

  it("uses the chat model named by LLM_PROVIDER, in order, with the offline tagger as fallback", async () => {
    const seen: ChatModelConfig[] = [];
    const llm = new FakeListChatModel({
      responses: [JSON.stringify({ themes: ["digital"] }), "not json", JSON.stringify({ themes: ["housing"] })],
    });
    const { io, out } = pipe(
      ["it is what it is", "more buses", "something else"].map((text) => JSON.stringify({ text })),
      { LLM_PROVIDER: "openai", LLM_API_KEY: "sk-test", LLM_MODEL: "gpt-test", LLM_BASE_URL: "" },
    );
    const code = await themesCommand([], io, {
      createChatModel: async (config) => {
        seen.push(config);
        return llm;
      },
    });
    expect(code).toBe(0);
    expect(seen).toEqual([{ provider: "openai", apiKey: "sk-test", baseUrl: undefined, model: "gpt-test" }]);
    // FakeListChatModel answers in call order; lines run concurrently but are written in input order.
    expect(out.map((line) => (JSON.parse(line) as { text: string }).text)).toEqual([
      "it is what it is",
      "more buses",
      "something else",
    ]);
    expect(out.map((line) => (JSON.parse(line) as { themes: string[] }).themes)).toContainEqual(["digital"]);
  });

  it("stays offline without LLM_PROVIDER or with --offline", async () => {
    const build = async () => {
      throw new Error("must not be called");
    };
    const first = pipe([JSON.stringify({ text: "buses" })]);
    expect(await themesCommand([], first.io, { createChatModel: build })).toBe(0);
    const second = pipe([JSON.stringify({ text: "buses" })], { LLM_PROVIDER: "openai" });
    expect(await themesCommand(["--offline"], second.io, { createChatModel: build })).toBe(0);
    expect(JSON.parse(second.out[0]!)).toMatchObject({ themes: ["transport"] });
  });

  it("names the provider package when it is not installed", async () => {
    const { io, err } = pipe([JSON.stringify({ text: "buses" })], { LLM_PROVIDER: "anthropic", LLM_API_KEY: "key" });
    expect(await themesCommand([], io)).toBe(2);
    expect(err.join("\n")).toContain("npm install @langchain/anthropic");
  });

  it("rejects unknown options", async () => {
    const { io, err } = pipe([]);
    expect(await themesCommand(["--bogus"], io)).toBe(2);
    expect(err.join("\n")).toContain("Usage: placevoice themes");
  });
});
