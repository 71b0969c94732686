// Theme tagging with a chat model, when one is configured: better with phrasing no lexicon
// foresaw, but slow, paid and fallible. So it is bounded by a timeout, and on any error or
// timeout the offline tagger answers instead. The model only ever sees the redacted text.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { RunnableLambda, type Runnable } from "@langchain/core/runnables";
import { THEMES, type ThemeId } from "../directory/themes.js";
import { createOfflineThemeTagger } from "./pure-runnable.js";
import { redactPersonalDetails } from "./redact.js";
import { DEFAULT_LLM_TIMEOUT_MS, THEME_TAGS_PROMPT, themeTagsSchema, ThemeTaggerTimeoutError } from "./theme-prompt.js";

export {
  DEFAULT_LLM_TIMEOUT_MS,
  THEME_DESCRIPTIONS,
  themeTagsSchema,
  ThemeTaggerTimeoutError,
} from "./theme-prompt.js";

export interface ThemeTaggerOptions {
  /** A chat model; without one the offline tagger is used. */
  readonly llm?: BaseChatModel;
  /** Longest wait for the model before the offline tagger answers instead (default 8 s). */
  readonly timeoutMs?: number;
  /** Called each time the offline tagger answers instead of the model (the evaluation counts them). */
  readonly onFallback?: () => void;
}

/** Tags with the chat model only: rejects on error or timeout (no fallback). */
export function createLlmThemeTagger(
  llm: BaseChatModel,
  timeoutMs = DEFAULT_LLM_TIMEOUT_MS,
): Runnable<string, ThemeId[]> {
  const structured = llm.withStructuredOutput(themeTagsSchema, { name: "theme_tags" });
  return RunnableLambda.from(async (text: string, config): Promise<ThemeId[]> => {
    const controller = new AbortController();
    const outer = config?.signal;
    const abort = (): void => controller.abort(outer?.reason);
    if (outer) outer.addEventListener("abort", abort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ThemeTaggerTimeoutError(timeoutMs);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    });
    try {
      const answer = await Promise.race([
        structured.invoke(
          [
            ["system", THEME_TAGS_PROMPT],
            ["human", redactPersonalDetails(text)],
          ],
          { signal: controller.signal },
        ),
        timeout,
      ]);
      const { themes } = themeTagsSchema.parse(answer);
      return THEMES.filter((theme) => themes.includes(theme));
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", abort);
    }
  }).withConfig({ runName: "LlmThemeTagger" });
}

/**
 * Free text -> theme ids. With `llm`, the chat model's structured output, falling back to the
 * offline tagger on any error or after `timeoutMs`; without it, the offline tagger.
 */
export function createThemeTagger(options: ThemeTaggerOptions = {}): Runnable<string, ThemeId[]> {
  const offline = createOfflineThemeTagger();
  if (!options.llm) return offline;
  const onFallback = options.onFallback;
  const fallback = onFallback
    ? RunnableLambda.from((text: string) => {
        onFallback();
        return offline.invoke(text);
      })
    : offline;
  return createLlmThemeTagger(options.llm, options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS).withFallbacks([fallback]);
}
