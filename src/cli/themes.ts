// `placevoice themes`: tag and redact free text from JSON lines on stdin.
//
//   $ echo '{"text": "Call me on 07700 900123, the buses stop at 6"}' | placevoice themes
//   {"text":"Call me on 07700 900123, the buses stop at 6","themes":["transport"],"redacted":"Call me on [phone], the buses stop at 6"}
//
// One output line per input line, in input order; a line that is not `{"text": "…"}` gets
// `{"error": "…"}` in its place and the rest go on (exit code 1 at the end). Uses the chat
// model named by LLM_PROVIDER (+ LLM_API_KEY, LLM_BASE_URL, LLM_MODEL, LLM_TIMEOUT_MS) when
// set, the offline tagger otherwise.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Runnable } from "@langchain/core/runnables";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { createTextAnalyser, type TextAnalysis } from "../nlp/analyse.js";
import { ChatModelConfigError, createChatModelFromConfig, type ChatModelConfig } from "../nlp/chat-model.js";

export interface ThemesCommandIO {
  readonly stdin: NodeJS.ReadableStream;
  out(line: string): void;
  err(line: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface ThemesCommandOptions {
  /** Builds the chat model from LLM_* (tests pass a fake). */
  readonly createChatModel?: (config: ChatModelConfig) => Promise<BaseChatModel | undefined>;
}

const USAGE = `Usage: placevoice themes [--offline] < lines.jsonl
  Reads {"text": "..."} per line; writes {"text", "themes", "redacted"} per line, in order.
  --offline   ignore LLM_PROVIDER and use the offline tagger`;

// Lines analysed at once when a chat model answers (offline analysis is synchronous anyway).
const CONCURRENCY = 4;

function envValue(env: ThemesCommandIO["env"], name: string): string | undefined {
  const value = env[name]?.trim();
  return value === "" ? undefined : value;
}

type LineResult = { readonly ok: true; readonly line: string } | { readonly ok: false; readonly line: string };

function errorLine(message: string): LineResult {
  return { ok: false, line: JSON.stringify({ error: message }) };
}

async function analyseLine(
  analyser: Runnable<string, TextAnalysis>,
  raw: string,
  lineNumber: number,
): Promise<LineResult> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return errorLine(`line ${lineNumber}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const text =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as { text?: unknown }).text
      : undefined;
  if (typeof text !== "string")
    return errorLine(`line ${lineNumber}: expected an object with a "text" string, like {"text": "more buses"}`);
  try {
    const { themes, redacted } = await analyser.invoke(text);
    return { ok: true, line: JSON.stringify({ text, themes, redacted }) };
  } catch (error) {
    return errorLine(`line ${lineNumber}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function themesCommand(
  args: readonly string[],
  io: ThemesCommandIO,
  options: ThemesCommandOptions = {},
): Promise<number> {
  let offline: boolean;
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { offline: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
      allowPositionals: false,
    });
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    offline = parsed.values.offline;
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    io.err(USAGE);
    return 2;
  }

  let llm: BaseChatModel | undefined;
  let timeoutMs: number | undefined;
  if (!offline && envValue(io.env, "LLM_PROVIDER")) {
    const rawTimeout = envValue(io.env, "LLM_TIMEOUT_MS");
    if (rawTimeout !== undefined) {
      timeoutMs = Number(rawTimeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
        io.err(`LLM_TIMEOUT_MS must be a positive whole number of milliseconds, not "${rawTimeout}".`);
        return 2;
      }
    }
    try {
      llm = await (options.createChatModel ?? createChatModelFromConfig)({
        provider: envValue(io.env, "LLM_PROVIDER"),
        apiKey: envValue(io.env, "LLM_API_KEY"),
        baseUrl: envValue(io.env, "LLM_BASE_URL"),
        model: envValue(io.env, "LLM_MODEL"),
      });
    } catch (error) {
      if (error instanceof ChatModelConfigError) {
        io.err(error.message);
        return 2;
      }
      throw error;
    }
  }
  const analyser = createTextAnalyser({ ...(llm ? { llm } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) });

  let bad = 0;
  const pending: Promise<LineResult>[] = [];
  const flushOne = async (): Promise<void> => {
    const result = await pending.shift()!;
    if (!result.ok) bad++;
    io.out(result.line);
  };
  let lineNumber = 0;
  const lines = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    lineNumber++;
    if (raw.trim() === "") continue;
    pending.push(analyseLine(analyser, raw, lineNumber));
    if (pending.length >= (llm ? CONCURRENCY : 1)) await flushOne();
  }
  while (pending.length > 0) await flushOne();
  if (bad > 0) io.err(`${bad} line(s) could not be read; see the "error" lines.`);
  return bad > 0 ? 1 : 0;
}
