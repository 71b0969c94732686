-- Warm handoffs (relays): a resident asks a local group from the directory to get in touch;
-- the group sees the offer (area, what, when), never the address, and messages go through
-- PlaceVoice. Erasing the contact erases its relays and their messages.
ALTER TABLE "partners" ADD COLUMN "group_id" TEXT;

CREATE TABLE "relays" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "contact_id" TEXT NOT NULL,
    "group_id" TEXT NOT NULL,
    "group_name" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "offer" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'suggested',
    "created_at" DATETIME NOT NULL,
    "opened_at" DATETIME,
    "ended_at" DATETIME,
    CONSTRAINT "relays_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "relays_contact_id_group_id_key" ON "relays"("contact_id", "group_id");
CREATE INDEX "relays_group_id_status_idx" ON "relays"("group_id", "status");

CREATE TABLE "relay_messages" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "relay_id" TEXT NOT NULL,
    "from" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    CONSTRAINT "relay_messages_relay_id_fkey" FOREIGN KEY ("relay_id") REFERENCES "relays" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "relay_messages_relay_id_created_at_idx" ON "relay_messages"("relay_id", "created_at");

CREATE TABLE "relay_suspensions" (
    "group_id" TEXT NOT NULL PRIMARY KEY,
    "suspended_at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL
);
