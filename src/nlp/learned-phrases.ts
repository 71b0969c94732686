// Phrases officers taught the offline tagger by settling answers at /dashboard/themes-review.
// The review page drafts entries from their reviews (GET /dashboard/themes-review/learned-phrases);
// someone cuts each draft down to the words that carry the theme, checks it against
// `npm run eval:themes`, and commits it here: reviewed and versioned like any code. Each phrase
// tags its themes on its own (like a strong lexicon word), after the same tokenising, spelling
// correction, negation and street-name rules as the lexicon.
import type { ThemeId } from "../directory/themes.js";

/** Raised whenever the list changes, so figures can name the version they were measured with. */
export const LEARNED_PHRASES_VERSION = 1;

export const LEARNED_PHRASES: readonly (readonly [phrase: string, themes: readonly ThemeId[]])[] = [
  // Version 1: as an officer would have settled the residents' development set's misses
  // (test/fixtures/themes-eval-residents-dev.jsonl; docs/themes.md).
  ["luncheon club", ["community_spaces", "care_support"]],
  ["football pitches", ["environment", "young_people"]],
  ["other mums", ["young_people"]],
  ["hang round the shops drinking", ["safety", "young_people"]],
];
