-- A code can be retired (the poster came down): it no longer brings a resident in, and the
-- residents it brought stay counted in the champion's reach.
ALTER TABLE "referral_codes" ADD COLUMN "retired_at" DATETIME;
