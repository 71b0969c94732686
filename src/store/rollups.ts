// Keeping the running totals (theme_counts, respondent_counts) in step with facts and answers.
// The upserts run in the same transaction (or D1 batch) as the step that writes the facts.

/** The question whose answer makes someone a respondent (the population of a table). */
export const RESPONDENT_KEY = "priorities";

/**
 * The offers flow's question of what a resident could offer. A completed offer is counted under
 * this key, each kind offered as a fact of source "offer" (theme = the kind) and the resident
 * once in respondent_counts: the population of the offers table. A later offer replaces the
 * earlier one, so each resident counts once however often they offer.
 */
export const OFFERS_KEY = "offer_kinds";
export const OFFER_SOURCE = "offer";

export interface FactKey {
  readonly source: string;
  readonly questionKey: string;
  readonly theme: string;
  readonly area: string | null;
  readonly week: string;
  readonly channel: string;
  readonly ageBand: string | null;
}

export interface RespondentKey {
  readonly questionKey: string;
  readonly area: string | null;
  readonly week: string;
  readonly channel: string;
  readonly ageBand: string | null;
}

/** The upsert that adds `delta` to a theme's running total (a statement of the step's batch). */
/** The upsert that adds (or with -1 takes away) one resident, whose record key is `recordKey`, to a theme's running total. */
export function themeCountUpsert(
  key: FactKey,
  delta: 1 | -1,
  recordKey: number,
): { sql: string; params: (string | number)[] } {
  return {
    sql: `INSERT INTO "theme_counts" ("source", "question_key", "theme", "area", "week", "channel", "age_band", "count", "key_sum") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT ("source", "question_key", "theme", "area", "week", "channel", "age_band") DO UPDATE SET "count" = "count" + excluded."count", "key_sum" = "key_sum" + excluded."key_sum"`,
    params: [
      key.source,
      key.questionKey,
      key.theme,
      key.area ?? "",
      key.week,
      key.channel,
      key.ageBand ?? "",
      delta,
      delta * recordKey,
    ],
  };
}

export function respondentCountUpsert(
  key: RespondentKey,
  delta: 1 | -1,
  recordKey: number,
): { sql: string; params: (string | number)[] } {
  return {
    sql: `INSERT INTO "respondent_counts" ("question_key", "area", "week", "channel", "age_band", "count", "key_sum") VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT ("question_key", "area", "week", "channel", "age_band") DO UPDATE SET "count" = "count" + excluded."count", "key_sum" = "key_sum" + excluded."key_sum"`,
    params: [key.questionKey, key.area ?? "", key.week, key.channel, key.ageBand ?? "", delta, delta * recordKey],
  };
}

/** The upsert that adds (or takes away) one resident who came through a champion's code to their area's running total for the week. */
export function championCountUpsert(
  key: Pick<RespondentKey, "area" | "week">,
  delta: 1 | -1,
  recordKey: number,
): { sql: string; params: (string | number)[] } {
  return {
    sql: `INSERT INTO "champion_counts" ("area", "week", "count", "key_sum") VALUES (?, ?, ?, ?)
      ON CONFLICT ("area", "week") DO UPDATE SET "count" = "count" + excluded."count", "key_sum" = "key_sum" + excluded."key_sum"`,
    params: [key.area ?? "", key.week, delta, delta * recordKey],
  };
}
