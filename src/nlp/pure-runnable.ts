// A LangChain Runnable around a pure, synchronous function of a few microseconds (the offline
// tagger, the redactor). RunnableLambda would wrap each call in run tracking and async context
// (~100 µs here, several times the work itself, on every free-text answer); this calls the
// function directly. Composition (RunnableParallel, withFallbacks, batch, stream) works as
// for any Runnable; the composite's own run is still traced.
//
// The tagger and redactor themselves are plain functions in their own modules, free of
// LangChain, so the Worker can use them without bundling it (src/nlp/offline-analyse.ts).
import { Runnable, type RunnableConfig } from "@langchain/core/runnables";
import type { ThemeId } from "../directory/themes.js";
import { tagThemes } from "./offline-theme-tagger.js";
import { redactPersonalDetails } from "./redact.js";

export class PureFunctionRunnable<RunInput, RunOutput> extends Runnable<RunInput, RunOutput> {
  lc_namespace = ["placevoice", "nlp"];

  constructor(
    private readonly fn: (input: RunInput) => RunOutput,
    name: string,
  ) {
    super();
    this.name = name;
  }

  override async invoke(input: RunInput, options?: Partial<RunnableConfig>): Promise<RunOutput> {
    options?.signal?.throwIfAborted();
    return this.fn(input);
  }
}

/** The offline tagger as a LangChain runnable: string in, theme ids out. */
export function createOfflineThemeTagger(): Runnable<string, ThemeId[]> {
  return new PureFunctionRunnable(tagThemes, "OfflineThemeTagger");
}

/** The redactor as a LangChain runnable: string in, redacted string out. */
export function createRedactor(): Runnable<string, string> {
  return new PureFunctionRunnable(redactPersonalDetails, "Redactor");
}
