-- No per-row foreign-key checks from deliveries to editions and edition_renders: each inserted reader looked up and
-- locked the one edition row (and its render) for key share, so two builders of the same edition made a new MultiXact
-- for nearly every row. A million-reader assignment went from about 61 to 52 s. Both parents are written by the
-- builder itself and never deleted; the key to subscribers stays (erasure cascades through it).
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_edition_id_editions_id_fk";
--> statement-breakpoint
ALTER TABLE "deliveries" DROP CONSTRAINT "deliveries_render_id_edition_renders_id_fk";
