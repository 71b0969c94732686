-- "You said, we did": updates published back to residents, who received each one, and the
-- partner webhooks that push new insight out.
CREATE TABLE "updates" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "author" TEXT NOT NULL,
    "theme" TEXT,
    "question_key" TEXT,
    "areas" TEXT NOT NULL,
    "you_said" TEXT NOT NULL,
    "we_did" TEXT NOT NULL,
    "link" TEXT,
    "audience" INTEGER NOT NULL DEFAULT 0,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "updates_created_at_idx" ON "updates"("created_at");

CREATE TABLE "update_deliveries" (
    "update_id" TEXT NOT NULL,
    "contact_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("update_id", "contact_id"),
    CONSTRAINT "update_deliveries_update_id_fkey" FOREIGN KEY ("update_id") REFERENCES "updates" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "update_deliveries_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "update_deliveries_contact_id_idx" ON "update_deliveries"("contact_id");

ALTER TABLE "partners" ADD COLUMN "webhook_url" TEXT;
ALTER TABLE "partners" ADD COLUMN "webhook_nonce" TEXT;

CREATE TABLE "webhook_deliveries" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "partner_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" DATETIME,
    CONSTRAINT "webhook_deliveries_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");
CREATE INDEX "webhook_deliveries_partner_id_created_at_idx" ON "webhook_deliveries"("partner_id", "created_at");
