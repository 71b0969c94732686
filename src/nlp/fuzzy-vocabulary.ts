// Finds the lexicon word a misspelt word was meant to be ("enviroment" -> "environment",
// "polise" -> "police") fast enough to run on every word of every message.
//
// Comparing each unknown word with every lexicon word would cost a few hundred edit
// distances per word. Instead, as in SymSpell, every lexicon word is indexed under the strings
// left by deleting up to its allowed number of letters; an unknown word only meets the words
// that share one of its own deletions, and editDistance() confirms the few that do.
import { editDistance, typoAllowance } from "../engine/text.js";

const CACHE_LIMIT = 20_000;

function deletions(word: string, depth: number, into: Set<string>): void {
  if (depth === 0 || word.length <= 2) return;
  for (let i = 0; i < word.length; i++) {
    const shorter = word.slice(0, i) + word.slice(i + 1);
    if (!into.has(shorter)) {
      into.add(shorter);
      deletions(shorter, depth - 1, into);
    }
  }
}

export class FuzzyVocabulary {
  private readonly index = new Map<string, string[]>();
  private readonly words: ReadonlySet<string>;
  private readonly cache = new Map<string, string | null>();

  /**
   * @param words the lexicon's single words (stemmed)
   * @param realWords correctly spelt words that must never be read as a typo of a lexicon
   *   word ("went" is not "rent", "would" is not "mould")
   * @param meaningOf what a word means (e.g. its themes): two equally close words with the
   *   same meaning are not ambiguous ("polise": "police" or "polis")
   */
  constructor(
    words: Iterable<string>,
    private readonly realWords: ReadonlySet<string>,
    private readonly meaningOf: (word: string) => string = (word) => word,
  ) {
    const all = new Set<string>();
    for (const word of words) {
      if (word.length < 4 || /\d/.test(word)) continue;
      all.add(word);
      const variants = new Set<string>([word]);
      deletions(word, typoAllowance(word), variants);
      for (const variant of variants) {
        const bucket = this.index.get(variant);
        if (bucket) bucket.push(word);
        else this.index.set(variant, [word]);
      }
    }
    this.words = all;
  }

  /** The lexicon word `word` is a plausible misspelling of, if exactly one is closest. */
  correct(word: string): string | undefined {
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.search(word);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(word, found ?? null);
    return found;
  }

  private search(word: string): string | undefined {
    if (word.length < 4 || this.words.has(word) || this.realWords.has(word) || /\d/.test(word)) return undefined;
    const allowance = typoAllowance(word);
    const variants = new Set<string>([word]);
    deletions(word, allowance, variants);
    let best: string | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    let tie = false;
    for (const variant of variants) {
      const bucket = this.index.get(variant);
      if (!bucket) continue;
      for (const candidate of bucket) {
        // Misspellings rarely change the first letter, and allowing it lets in too much
        // ("dark" -> "park", "card" -> "care").
        if (candidate === best || candidate.charCodeAt(0) !== word.charCodeAt(0)) continue;
        const limit = Math.min(allowance, typoAllowance(candidate));
        const distance = editDistance(word, candidate, limit);
        if (distance > limit) continue;
        if (distance < bestDistance) {
          best = candidate;
          bestDistance = distance;
          tie = false;
        } else if (
          distance === bestDistance &&
          candidate !== best &&
          this.meaningOf(candidate) !== this.meaningOf(best!)
        ) {
          tie = true;
        }
      }
    }
    return tie ? undefined : best;
  }
}
