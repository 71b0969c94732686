-- The population baseline an operator supplies (`placevoice population import`): residents per
-- postcode district and age band, with the statistic's source and year, so reach can be read as
-- residents heard per 1,000 and priorities re-weighted to an area's age profile. Public statistics,
-- nothing about any resident.
CREATE TABLE "population_baseline" (
    "area" TEXT NOT NULL,
    "age_band" TEXT NOT NULL,
    "population" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "imported_at" DATETIME NOT NULL,
    PRIMARY KEY ("area", "age_band")
);
