-- Insight: each theme a resident chose or wrote about becomes one row of `theme_facts`, carrying
-- only coarse dimensions (district, ISO week, channel, age band), so aggregates are indexed
-- GROUP BYs. Free text is kept for analysis only in redacted form. Partners reach insight
-- through tokens (stored as hashes), and every partner request is written to the audit log.
ALTER TABLE "answers" ADD COLUMN "redacted" TEXT;
ALTER TABLE "answers" ADD COLUMN "age_band" TEXT;

CREATE TABLE "theme_facts" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "answer_id" TEXT NOT NULL,
    "contact_id" TEXT,
    "flow_id" TEXT NOT NULL,
    "question_key" TEXT NOT NULL,
    "theme" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "area" TEXT,
    "channel" TEXT NOT NULL,
    "age_band" TEXT,
    "week" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "theme_facts_answer_id_fkey" FOREIGN KEY ("answer_id") REFERENCES "answers" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "theme_facts_source_theme_area_week_idx" ON "theme_facts"("source", "theme", "area", "week");
CREATE INDEX "theme_facts_source_area_week_idx" ON "theme_facts"("source", "area", "week");
CREATE INDEX "theme_facts_answer_id_idx" ON "theme_facts"("answer_id");
CREATE INDEX "theme_facts_contact_id_idx" ON "theme_facts"("contact_id");

CREATE TABLE "partners" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "areas" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" DATETIME
);
CREATE UNIQUE INDEX "partners_token_hash_key" ON "partners"("token_hash");

CREATE TABLE "audit_log" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "audit_log_actor_created_at_idx" ON "audit_log"("actor", "created_at");
