-- The open rows of an edition by id: a claim reads only its range's queued and sending rows. Without it, a claim
-- read every open row of the edition through deliveries_edition_status_idx while the edition was new to the
-- planner's statistics (about 20 ms each, half of Postgres's CPU in a fan-out).
CREATE INDEX "deliveries_open_idx" ON "deliveries" USING btree ("edition_id","id") WHERE "deliveries"."status" in ('queued', 'sending');