// Urgent needs: words in any reply that signal someone may need help right now (self-harm,
// abuse, no food tonight, nowhere to sleep tonight). The phrase lists are data
// (flows/urgent-needs.yaml); this only finds them.
import { parse } from "yaml";
import * as z from "zod";
import { escapeRegExp, normaliseReply } from "../engine/text.js";
import type { LocalisedText } from "../engine/types.js";

const lexiconSchema = z.strictObject({
  kinds: z.record(
    z.string().regex(/^[a-z_]+$/),
    z.strictObject({
      intro: z.record(z.string(), z.string().min(1)),
      phrases: z.record(z.string(), z.array(z.string().min(2)).min(1)),
    }),
  ),
});

export interface UrgentKind {
  readonly id: string;
  readonly intro: LocalisedText;
  /** Normalised phrases, any language. */
  readonly phrases: readonly string[];
}

export interface UrgentLexicon {
  readonly kinds: readonly UrgentKind[];
}

export function parseUrgentLexicon(source: string): UrgentLexicon {
  const data = lexiconSchema.parse(parse(source));
  return {
    kinds: Object.entries(data.kinds).map(([id, k]) => ({
      id,
      intro: k.intro,
      phrases: [
        ...new Set(
          Object.values(k.phrases)
            .flat()
            .map(normaliseReply)
            .filter((p) => p.length > 0),
        ),
      ],
    })),
  };
}

/** Each kind's phrases as one whole-word pattern over a normalised text padded with spaces. */
const patterns = new WeakMap<UrgentKind, RegExp>();

function patternOf(kind: UrgentKind): RegExp {
  let pattern = patterns.get(kind);
  if (!pattern) {
    pattern = new RegExp(` (?:${kind.phrases.map(escapeRegExp).join("|")}) `);
    patterns.set(kind, pattern);
  }
  return pattern;
}

/** The urgent-need kinds a message signals, in lexicon order (empty for most messages). */
export function detectUrgentNeeds(lexicon: UrgentLexicon, text: string): UrgentKind[] {
  if (text.length < 4) return [];
  const padded = ` ${normaliseReply(text.slice(0, 2000))} `;
  return lexicon.kinds.filter((kind) => kind.phrases.length > 0 && patternOf(kind).test(padded));
}
