// Keeping the running totals (theme_counts, respondent_counts) in step with facts and answers.
// Called inside the transaction that writes them, with the same client.
import type { Prisma } from "../generated/prisma/client.js";

/** The question whose answer makes someone a respondent (the population of a table). */
export const RESPONDENT_KEY = "priorities";

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

type Tx = Prisma.TransactionClient;

export async function addThemeCount(tx: Tx, key: FactKey, delta: number): Promise<void> {
  await tx.$executeRaw`INSERT INTO "theme_counts" ("source", "question_key", "theme", "area", "week", "channel", "age_band", "count")
    VALUES (${key.source}, ${key.questionKey}, ${key.theme}, ${key.area ?? ""}, ${key.week}, ${key.channel}, ${key.ageBand ?? ""}, ${delta})
    ON CONFLICT ("source", "question_key", "theme", "area", "week", "channel", "age_band") DO UPDATE SET "count" = "count" + excluded."count"`;
}

export async function addRespondentCount(tx: Tx, key: RespondentKey, delta: number): Promise<void> {
  await tx.$executeRaw`INSERT INTO "respondent_counts" ("question_key", "area", "week", "channel", "age_band", "count")
    VALUES (${key.questionKey}, ${key.area ?? ""}, ${key.week}, ${key.channel}, ${key.ageBand ?? ""}, ${delta})
    ON CONFLICT ("question_key", "area", "week", "channel", "age_band") DO UPDATE SET "count" = "count" + excluded."count"`;
}
