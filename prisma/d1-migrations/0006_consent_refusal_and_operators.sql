-- A resident who says no to the privacy question is remembered only as that refusal: the
-- notice version they refused and when.
ALTER TABLE "contacts" ADD COLUMN "consent_refused_version" TEXT;
ALTER TABLE "contacts" ADD COLUMN "consent_refused_at" DATETIME;

-- Dashboard accounts are partners (their areas' insight) or operators (the admin views).
ALTER TABLE "partners" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'partner';
