-- One index for an edition's rows by status and id, in place of (edition, status) and the partial index of open rows.
-- The partial index was empty in the planner's statistics between sends, and during a send a cached plan of the
-- result's update scanned all of it for every result (5.6 ms a statement at 4,000 open rows); with (edition, status)
-- alone, a claim read every open row of a new edition (about 20 ms). Here a claim reads its range's open rows.
DROP INDEX "deliveries_edition_status_idx";--> statement-breakpoint
DROP INDEX "deliveries_open_idx";--> statement-breakpoint
CREATE INDEX "deliveries_edition_status_id_idx" ON "deliveries" USING btree ("edition_id","status","id");