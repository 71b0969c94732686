-- Areas whose results an operator has made public: /results/<area> and the public "We asked,
-- you said, we did" page show them without sign-in. Nothing is public until an operator says so.
CREATE TABLE "public_areas" (
    "area" TEXT NOT NULL PRIMARY KEY,
    "published_by" TEXT NOT NULL,
    "published_at" DATETIME NOT NULL
);
