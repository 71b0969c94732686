// Theme tagging with a chat model, when one is configured: better with phrasing no lexicon
// foresaw, but slow, paid and fallible. So it is bounded by a timeout, and on any error or
// timeout the offline tagger answers instead. The model only ever sees the redacted text.
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { RunnableLambda, type Runnable } from "@langchain/core/runnables";
import * as z from "zod";
import { THEMES, type ThemeId } from "../directory/themes.js";
import { createOfflineThemeTagger } from "./pure-runnable.js";
import { redactPersonalDetails } from "./redact.js";

export interface ThemeTaggerOptions {
  /** A chat model; without one the offline tagger is used. */
  readonly llm?: BaseChatModel;
  /** Longest wait for the model before the offline tagger answers instead (default 8 s). */
  readonly timeoutMs?: number;
  /** Called each time the offline tagger answers instead of the model (the evaluation counts them). */
  readonly onFallback?: () => void;
}

export const DEFAULT_LLM_TIMEOUT_MS = 8_000;

export const THEME_DESCRIPTIONS: Readonly<Record<ThemeId, string>> = {
  housing: "homes, rent, landlords, repairs, damp and mould, homelessness, social housing",
  cost_of_living: "bills, prices, energy, food banks, benefits, debt, low pay, council tax",
  jobs_skills: "jobs, employment, training, apprenticeships, adult learning, careers",
  health_wellbeing: "GPs, hospitals, dentists, mental health, loneliness, addiction, healthy living",
  safety: "crime, anti-social behaviour, policing, drugs, feeling unsafe, street lighting, scams, road danger",
  transport: "buses, trains, roads, potholes, parking, traffic, cycling, pavements",
  environment: "litter, bins, fly-tipping, parks, green spaces, trees, pollution, flooding, dog mess",
  young_people: "things for children and teenagers, youth clubs, schools, childcare, play areas",
  community_spaces: "community centres, libraries, halls, warm spaces, places to meet",
  high_street: "shops, the town centre, markets, empty units, banks and post offices closing",
  digital: "internet, broadband, wifi, phone signal, getting online, computer skills",
  care_support: "social care, carers, older people, disability support, dementia, adaptations",
};

export const themeTagsSchema = z.object({
  themes: z.array(z.enum(THEMES)).describe("Every theme the message raises; an empty list when it raises none."),
});

const SYSTEM_PROMPT = [
  "You tag what residents of a UK neighbourhood say about where they live with themes.",
  "The message answers the question: what would make the biggest difference where you live?",
  "It may be in English or Welsh, misspelt or in text-speak. Placeholders such as [name] or [phone] stand for removed personal details.",
  "Return every theme the message raises, and none that it only mentions in passing or says is fine. Themes:",
  ...THEMES.map((theme) => `- ${theme}: ${THEME_DESCRIPTIONS[theme]}`),
].join("\n");

export class ThemeTaggerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`The chat model did not answer within ${timeoutMs} ms`);
    this.name = "ThemeTaggerTimeoutError";
  }
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
            ["system", SYSTEM_PROMPT],
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
