-- An officer's review of the themes found in a free-text answer (/dashboard/themes-review): the
-- themes they settled on and who did it. The answer's `theme_facts` (source 'text') and the
-- running totals are changed in the same batch; this row is the record of who changed them.
CREATE TABLE "theme_reviews" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "answer_id" TEXT NOT NULL,
    "themes" TEXT NOT NULL,
    "reviewed_by" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "theme_reviews_answer_id_fkey" FOREIGN KEY ("answer_id") REFERENCES "answers" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "theme_reviews_answer_id_idx" ON "theme_reviews"("answer_id");
