-- A broadcast started from the dashboard on Workers, still being queued a page at a time (one
-- Worker invocation may make only so many D1 queries): which of its areas and which resident the
-- next page starts after. The row goes when the last page is queued, or when the broadcast is
-- cancelled.
CREATE TABLE "broadcast_queues" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "flow_id" TEXT NOT NULL,
    "areas" TEXT NOT NULL,
    "channel" TEXT,
    "area_index" INTEGER NOT NULL DEFAULT 0,
    "after_id" TEXT,
    "created_at" DATETIME NOT NULL
);
