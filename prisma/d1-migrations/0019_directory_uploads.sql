-- A directory package an operator uploaded in the dashboard and has not yet confirmed: the dry
-- run's input, kept until it is confirmed or cancelled, or for an hour. In parts, so that no
-- row is near D1's 2 MB limit; the upload is whole when all its parts are there.
CREATE TABLE "directory_uploads" (
    "id" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "parts" INTEGER NOT NULL,
    "partner_id" TEXT NOT NULL,
    "file_name" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "created_at" DATETIME NOT NULL,

    PRIMARY KEY ("id", "part")
);

CREATE INDEX "directory_uploads_created_at_idx" ON "directory_uploads"("created_at");
