// Theme tagging with a chat model over plain fetch, for the Worker: LangChain and a provider
// package would not fit its bundle budget, so this speaks the OpenAI chat completions API
// (OpenAI, or any compatible server at LLM_BASE_URL: Ollama's /v1, vLLM, LiteLLM …) directly,
// with the same prompt and answer schema as the LangChain tagger (theme-prompt.ts): a forced
// call of the `theme_tags` tool. Like it, it sends only redacted text, gives up after the
// timeout, and on any error or timeout the offline tagger answers instead.
import * as z from "zod";
import { THEMES, type ThemeId } from "../directory/themes.js";
import { tagThemes } from "./offline-theme-tagger.js";
import { redactPersonalDetails } from "./redact.js";
import { DEFAULT_LLM_TIMEOUT_MS, THEME_TAGS_PROMPT, themeTagsSchema, ThemeTaggerTimeoutError } from "./theme-prompt.js";

/** The providers this client speaks to: their chat completions API, and the model used when LLM_MODEL is unset. */
export const FETCH_PROVIDERS: Readonly<Record<string, { readonly baseUrl?: string; readonly defaultModel: string }>> = {
  openai: { baseUrl: "https://api.openai.com/v1", defaultModel: "gpt-4o-mini" },
  // Ollama answers the same API under /v1 (LLM_BASE_URL, e.g. http://ollama.internal:11434/v1).
  ollama: { defaultModel: "llama3.2" },
};

export interface FetchTaggerConfig {
  readonly provider: string;
  readonly apiKey?: string | undefined;
  readonly baseUrl?: string | undefined;
  readonly model?: string | undefined;
}

export interface FetchTaggerOptions {
  /** Longest wait for the model before the offline tagger answers instead (default 8 s). */
  readonly timeoutMs?: number;
  /** Called with the reason each time the offline tagger answers instead of the model. */
  readonly onFallback?: (reason: string) => void;
  readonly fetch?: typeof fetch;
}

/** What is wrong with an LLM configuration for this client, or null. */
export function fetchTaggerProblem(config: FetchTaggerConfig): string | null {
  const provider = FETCH_PROVIDERS[config.provider.trim().toLowerCase()];
  if (!provider)
    return `LLM provider "${config.provider}" is not available on Workers: use ${Object.keys(FETCH_PROVIDERS).join(" or ")} (any server with the OpenAI chat completions API, at LLM_BASE_URL).`;
  if (!provider.baseUrl && !config.baseUrl) return `LLM provider "${config.provider}" needs LLM_BASE_URL.`;
  if (provider.baseUrl && !config.baseUrl && !config.apiKey)
    return `LLM provider "${config.provider}" needs an API key (LLM_API_KEY), or LLM_BASE_URL for a compatible server that needs none.`;
  return null;
}

const toolCallSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          tool_calls: z.array(z.object({ function: z.object({ name: z.string(), arguments: z.string() }) })).min(1),
        }),
      }),
    )
    .min(1),
});

/** Free text -> theme ids, by the chat model, or by the offline tagger when it fails or is too slow. */
export function createFetchThemeTagger(
  config: FetchTaggerConfig,
  options: FetchTaggerOptions = {},
): (text: string) => Promise<ThemeId[]> {
  const problem = fetchTaggerProblem(config);
  if (problem) throw new Error(problem);
  const provider = FETCH_PROVIDERS[config.provider.trim().toLowerCase()]!;
  const endpoint = `${(config.baseUrl ?? provider.baseUrl)!.replace(/\/+$/, "")}/chat/completions`;
  const model = config.model ?? provider.defaultModel;
  const timeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  const send = options.fetch ?? fetch;
  const tool = {
    type: "function",
    function: {
      name: "theme_tags",
      description: "The themes the resident's message raises.",
      parameters: z.toJSONSchema(themeTagsSchema),
    },
  };

  const ask = async (text: string): Promise<ThemeId[]> => {
    const response = await send(endpoint, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model,
        temperature: 0,
        messages: [
          { role: "system", content: THEME_TAGS_PROMPT },
          { role: "user", content: redactPersonalDetails(text) },
        ],
        tools: [tool],
        tool_choice: { type: "function", function: { name: "theme_tags" } },
      }),
      signal: AbortSignal.timeout(timeoutMs),
    }).catch((error: Error) => {
      throw error.name === "TimeoutError" ? new ThemeTaggerTimeoutError(timeoutMs) : error;
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`the chat model answered ${response.status}`);
    }
    const call = toolCallSchema.parse(await response.json()).choices[0]!.message.tool_calls[0]!.function;
    const { themes } = themeTagsSchema.parse(JSON.parse(call.arguments));
    return THEMES.filter((theme) => themes.includes(theme));
  };

  return async (text) => {
    try {
      return await ask(text);
    } catch (error) {
      options.onFallback?.(error instanceof ThemeTaggerTimeoutError ? "timeout" : "error");
      return tagThemes(text);
    }
  };
}
