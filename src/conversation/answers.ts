// A step's save_answer effect as the store keeps it: chosen themes and themes found in free
// text become insight facts; free text is kept redacted for analysis.
import { isTheme } from "../directory/themes.js";
import type { Effect } from "../engine/types.js";
import type { NewAnswer } from "../store/types.js";

export type TextAnalyser = (text: string) => Promise<{ readonly themes: readonly string[]; readonly redacted: string }>;

export function isThemeAnswer(value: unknown): value is string | readonly string[] {
  if (typeof value === "string") return isTheme(value);
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && isTheme(v));
}

export async function toAnswer(
  effect: Extract<Effect, { type: "save_answer" }>,
  ageBand: string | undefined,
  deps: { readonly newId: () => string; readonly analyse?: TextAnalyser },
  /** Whether its themes count as the resident's priorities (insight facts); redaction applies either way. */
  options: { readonly priorities?: boolean } = {},
): Promise<NewAnswer> {
  const counted = options.priorities ?? true;
  const base = {
    id: deps.newId(),
    flowId: effect.flowId,
    questionKey: effect.key,
    value: effect.value,
    ...(ageBand ? { ageBand } : {}),
  };
  if (counted && isThemeAnswer(effect.value)) {
    const themes = typeof effect.value === "string" ? [effect.value] : effect.value;
    return { ...base, facts: themes.map((theme) => ({ id: deps.newId(), theme, source: "choice" as const })) };
  }
  if (effect.kind === "text" && typeof effect.value === "string" && deps.analyse) {
    const analysis = await deps.analyse(effect.value);
    return {
      ...base,
      redacted: analysis.redacted,
      facts: (counted ? analysis.themes : []).map((theme) => ({ id: deps.newId(), theme, source: "text" as const })),
    };
  }
  return base;
}
