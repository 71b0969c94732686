// The theme taxonomy (DESIGN.md). Ids are stable; labels can be translated.
export const THEMES = [
  "housing",
  "cost_of_living",
  "jobs_skills",
  "health_wellbeing",
  "safety",
  "transport",
  "environment",
  "young_people",
  "community_spaces",
  "high_street",
  "digital",
  "care_support",
] as const;

export type ThemeId = (typeof THEMES)[number];

export function isTheme(value: string): value is ThemeId {
  return (THEMES as readonly string[]).includes(value);
}
