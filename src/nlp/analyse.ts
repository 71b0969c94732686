// One pass over a free-text answer: its themes and its redacted form. Both read the original
// text, side by side (RunnableMap, a.k.a. RunnableParallel), so tagging never suffers from placeholders; the
// chat-model tagger, when configured, redacts its own input before anything leaves the machine.
import { RunnableMap, type Runnable } from "@langchain/core/runnables";
import type { ThemeId } from "../directory/themes.js";
import { createThemeTagger, type ThemeTaggerOptions } from "./llm-theme-tagger.js";
import { createRedactor } from "./pure-runnable.js";

export interface TextAnalysis {
  readonly themes: ThemeId[];
  readonly redacted: string;
}

export interface TextAnalyserOptions extends ThemeTaggerOptions {
  /** Replaces the theme tagger (tests, or a tagger built elsewhere). */
  readonly tagger?: Runnable<string, ThemeId[]>;
}

/** Free text -> `{ themes, redacted }`. Offline unless `llm` is given. */
export function createTextAnalyser(options: TextAnalyserOptions = {}): Runnable<string, TextAnalysis> {
  const analyser = new RunnableMap<string, TextAnalysis>({
    steps: { themes: options.tagger ?? createThemeTagger(options), redacted: createRedactor() },
  });
  analyser.name = "TextAnalyser";
  return analyser;
}
