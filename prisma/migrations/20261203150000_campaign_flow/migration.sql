-- A campaign code can start a flow of its own (a champion's "what could you offer?" poster
-- starts the offers flow); without one a code starts the entry flow, as before.
ALTER TABLE "referral_codes" ADD COLUMN "flow_id" TEXT;
