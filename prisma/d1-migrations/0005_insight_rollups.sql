-- Running totals behind every published aggregate, kept up to date in the same transaction as
-- the answers they count, so a dashboard query over a million answers reads a few thousand
-- rows. Unknown dimensions are stored as '' (never NULL) so each combination has one row.
CREATE TABLE "theme_counts" (
    "source" TEXT NOT NULL,
    "question_key" TEXT NOT NULL,
    "theme" TEXT NOT NULL,
    "area" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "age_band" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("source", "question_key", "theme", "area", "week", "channel", "age_band")
);
CREATE INDEX "theme_counts_source_area_week_idx" ON "theme_counts"("source", "area", "week");

CREATE TABLE "respondent_counts" (
    "question_key" TEXT NOT NULL,
    "area" TEXT NOT NULL,
    "week" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "age_band" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("question_key", "area", "week", "channel", "age_band")
);
CREATE INDEX "respondent_counts_area_week_idx" ON "respondent_counts"("area", "week");
