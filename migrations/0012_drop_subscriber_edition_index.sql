-- deliveries_subscriber_slot_key (subscriber_id, slot) serves every lookup by reader; no query reads by reader and
-- edition together. One index less to write for each row version: a delivery row has three (queued, sending, sent).
DROP INDEX "deliveries_subscriber_idx";