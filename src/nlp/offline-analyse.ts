// The offline analysis as a plain function: the same tagger and redactor the LangChain
// analyser (analyse.ts) runs side by side, without LangChain, for the Worker, where its weight
// would not fit the bundle budget; there a chat model tags through plain fetch instead
// (fetch-theme-tagger.ts). Both read the original text.
import type { ThemeId } from "../directory/themes.js";
import type { TextAnalysis } from "./analyse.js";
import { tagThemes } from "./offline-theme-tagger.js";
import { redactPersonalDetails } from "./redact.js";

export function analyseOffline(text: string): TextAnalysis {
  return { themes: tagThemes(text), redacted: redactPersonalDetails(text) };
}

/** The same, with the themes from `tag` (the fetch tagger, which falls back to the offline one itself). */
export async function analyseWith(tag: (text: string) => Promise<ThemeId[]>, text: string): Promise<TextAnalysis> {
  return { themes: await tag(text), redacted: redactPersonalDetails(text) };
}
