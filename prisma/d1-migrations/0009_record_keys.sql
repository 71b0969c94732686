-- Consistent perturbation of published counts (docs/disclosure.md): every resident gets a
-- random record key 0-255, and each running total carries the sum of its residents' keys next
-- to its count, so the same set of residents gives the same cell key, and the same published
-- number, by every query path.
ALTER TABLE "contacts" ADD COLUMN "record_key" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "theme_counts" ADD COLUMN "key_sum" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "respondent_counts" ADD COLUMN "key_sum" INTEGER NOT NULL DEFAULT 0;

-- Residents who answered before this migration get their keys now.
UPDATE "contacts" SET "record_key" = abs(random() % 256);

-- Key sums for the totals so far, from the facts behind them. (A resident who has since erased
-- their data still counts, as published totals keep their counts; their key is gone with them.)
UPDATE "theme_counts" SET "key_sum" = COALESCE((
  SELECT SUM(c."record_key") FROM "theme_facts" f JOIN "contacts" c ON c."id" = f."contact_id"
  WHERE f."source" = "theme_counts"."source" AND f."question_key" = "theme_counts"."question_key" AND f."theme" = "theme_counts"."theme"
    AND COALESCE(f."area", '') = "theme_counts"."area" AND f."week" = "theme_counts"."week" AND f."channel" = "theme_counts"."channel"
    AND COALESCE(f."age_band", '') = "theme_counts"."age_band"
), 0);

-- A respondent picked at least one priority: their choice facts say where and when they counted.
UPDATE "respondent_counts" SET "key_sum" = COALESCE((
  SELECT SUM(c."record_key") FROM "contacts" c WHERE c."id" IN (
    SELECT f."contact_id" FROM "theme_facts" f
    WHERE f."source" = 'choice' AND f."question_key" = "respondent_counts"."question_key"
      AND COALESCE(f."area", '') = "respondent_counts"."area" AND f."week" = "respondent_counts"."week" AND f."channel" = "respondent_counts"."channel"
      AND COALESCE(f."age_band", '') = "respondent_counts"."age_band"
  )
), 0);
