-- Delivery receipts from the platforms (Twilio status callbacks), kept apart from our own
-- sending status, and an index to find an outbox row by the platform's message id.
-- `kind` says why a message exists: only an opt-out confirmation may reach a stopped contact.
ALTER TABLE "outbox" ADD COLUMN "delivery_status" TEXT;
ALTER TABLE "outbox" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'reply';
CREATE INDEX "outbox_provider_id_idx" ON "outbox"("provider_id");
