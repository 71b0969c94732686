// The offline analysis as a plain function: the same tagger and redactor the LangChain
// analyser (analyse.ts) runs side by side, without LangChain, for the Worker, where its weight
// would not fit the bundle budget. Both read the original text.
import type { TextAnalysis } from "./analyse.js";
import { tagThemes } from "./offline-theme-tagger.js";
import { redactPersonalDetails } from "./redact.js";

export function analyseOffline(text: string): TextAnalysis {
  return { themes: tagThemes(text), redacted: redactPersonalDetails(text) };
}
