-- Processes sending through the platforms from one database (the server, a second server, the
-- CLI's `broadcast --send`), each seen within the last few seconds: each sends at its share of
-- every channel's rate limit, so together they keep to the platform's limit.
CREATE TABLE "send_shares" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "joined_at" DATETIME NOT NULL,
    "seen_at" DATETIME NOT NULL
);
