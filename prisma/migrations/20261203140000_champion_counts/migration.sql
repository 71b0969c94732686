-- A running total of the residents who answered the respondent question after arriving through
-- a champion's or campaign code, by area and week, kept in the same transaction as the answer
-- (as respondent_counts is), so champions' reach by area reads a few rows, not every answer.
CREATE TABLE "champion_counts" (
    "area" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "key_sum" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("area", "week")
);

-- The totals so far, from the choice facts of those residents' answers (a respondent picked at
-- least one priority: its facts say where and when they counted).
INSERT INTO "champion_counts" ("area", "week", "count", "key_sum")
SELECT "area", "week", COUNT(*), SUM("record_key") FROM (
  SELECT DISTINCT f."answer_id", COALESCE(f."area", '') AS "area", f."week" AS "week", c."record_key" AS "record_key"
  FROM "theme_facts" f JOIN "contacts" c ON c."id" = f."contact_id"
  WHERE f."source" = 'choice' AND f."question_key" = 'priorities' AND c."attribution" IS NOT NULL
) GROUP BY "area", "week";
