-- Dashboard sign-ins held on the server, so that signing out ends one (the cookie alone could
-- not be taken back). The cookie carries the session id, signed; every page reads the row.
CREATE TABLE "dashboard_sessions" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "partner_id" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,
    "expires_at" DATETIME NOT NULL,
    "ended_at" DATETIME,
    CONSTRAINT "dashboard_sessions_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "dashboard_sessions_partner_id_idx" ON "dashboard_sessions"("partner_id");
