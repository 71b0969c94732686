-- Initial PlaceVoice schema. Written by hand in the form `prisma migrate` would produce for
-- prisma/schema.prisma; test/store/schema-matches-migrations.test.ts checks they agree.

CREATE TABLE "contacts" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "address_hash" TEXT NOT NULL,
    "address_enc" TEXT NOT NULL,
    "language" TEXT NOT NULL DEFAULT 'en',
    "status" TEXT NOT NULL DEFAULT 'active',
    "consent_version" TEXT,
    "consent_at" DATETIME,
    "area" TEXT,
    "attribution" TEXT,
    "stopped_at" DATETIME,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL
);
CREATE UNIQUE INDEX "contacts_channel_address_hash_key" ON "contacts"("channel", "address_hash");

CREATE TABLE "sessions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "flow_id" TEXT NOT NULL,
    "node_id" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 0,
    "expires_at" DATETIME NOT NULL,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" DATETIME NOT NULL,
    CONSTRAINT "sessions_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "sessions_contact_id_key" ON "sessions"("contact_id");

CREATE TABLE "answers" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT,
    "flow_id" TEXT NOT NULL,
    "question_key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "area" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "answers_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "answers_flow_id_question_key_created_at_idx" ON "answers"("flow_id", "question_key", "created_at");
CREATE INDEX "answers_area_created_at_idx" ON "answers"("area", "created_at");
CREATE INDEX "answers_contact_id_idx" ON "answers"("contact_id");

CREATE TABLE "inbound_messages" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "received_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX "inbound_messages_received_at_idx" ON "inbound_messages"("received_at");

CREATE TABLE "outbox" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "idempotency_key" TEXT NOT NULL,
    "provider_id" TEXT,
    "last_error" TEXT,
    "created_at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" DATETIME,
    CONSTRAINT "outbox_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "outbox_idempotency_key_key" ON "outbox"("idempotency_key");
CREATE INDEX "outbox_status_next_attempt_at_idx" ON "outbox"("status", "next_attempt_at");
CREATE INDEX "outbox_contact_id_idx" ON "outbox"("contact_id");
