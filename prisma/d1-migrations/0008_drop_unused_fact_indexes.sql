-- Insight is read from the running totals (theme_counts, respondent_counts) since the rollups
-- migration; theme_facts is only looked up by answer and by contact. Its two (source, …)
-- indexes were maintained on every answer and read by nothing.
DROP INDEX "theme_facts_source_theme_area_week_idx";
DROP INDEX "theme_facts_source_area_week_idx";
