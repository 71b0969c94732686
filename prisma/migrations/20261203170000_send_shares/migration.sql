-- Processes sending through the platforms from one database (the server, a second server, the
-- CLI's `broadcast --send`): each counts up its row's beat every second, and each paces at its
-- share of every channel's rate limit among the rows whose beat it has seen move lately, so
-- together they keep to the platform's limit. A beat, not a time: whether a sender is alive is
-- judged by each reader's own clock, never by comparing two processes' clocks.
CREATE TABLE "send_shares" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "beat" INTEGER NOT NULL DEFAULT 0
);
