-- The services directory (imported from Open Referral data), its settings, flow completions,
-- and community champions with their referral codes.

CREATE TABLE "services" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "organisation" TEXT,
    "url" TEXT,
    "email" TEXT,
    "phones" TEXT NOT NULL,
    "terms" TEXT NOT NULL,
    "themes" TEXT NOT NULL,
    "coverage" TEXT NOT NULL,
    "national" BOOLEAN NOT NULL DEFAULT false,
    "locations" TEXT NOT NULL,
    "hours" TEXT NOT NULL,
    "crisis" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "updated_at" DATETIME NOT NULL
);
CREATE INDEX "services_source_idx" ON "services"("source");

CREATE TABLE "directory_settings" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updated_at" DATETIME NOT NULL
);

CREATE TABLE "flow_completions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "flow_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "flow_completions_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "flow_completions_contact_id_idx" ON "flow_completions"("contact_id");
CREATE INDEX "flow_completions_flow_id_created_at_idx" ON "flow_completions"("flow_id", "created_at");

CREATE TABLE "champions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "organisation" TEXT,
    "view_token_hash" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" DATETIME
);
CREATE UNIQUE INDEX "champions_view_token_hash_key" ON "champions"("view_token_hash");

CREATE TABLE "referral_codes" (
    "code" TEXT NOT NULL PRIMARY KEY,
    "champion_id" TEXT NOT NULL,
    "campaign" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "referral_codes_champion_id_fkey" FOREIGN KEY ("champion_id") REFERENCES "champions" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "referral_codes_champion_id_idx" ON "referral_codes"("champion_id");

CREATE TABLE "referral_touches" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "referral_touches_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "referral_touches_code_idx" ON "referral_touches"("code");
CREATE INDEX "referral_touches_contact_id_idx" ON "referral_touches"("contact_id");
