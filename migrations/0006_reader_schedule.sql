-- Each reader's own schedule: the next local send time, stored as an instant, and one delivery per reader
-- and local day (or week). Local times are turned into instants by Postgres (AT TIME ZONE, tzdata), never
-- by offset arithmetic of ours.
CREATE FUNCTION papermail_local_instant(tz text, wall timestamp) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  -- Postgres reads a wall time that does not exist (spring forward) with the offset before the jump: the
  -- first valid instant after it (02:00 Berlin on a DST Sunday is 03:00). A wall time that happens twice
  -- (fall back) it reads with the offset after: the first occurrence is the earliest instant that the zone
  -- shows as the same wall time, which is what a reader expects.
  SELECT coalesce(
    (SELECT t FROM (VALUES (interval '3 hours'), (interval '2 hours'), (interval '1 hour'), (interval '30 minutes'), (interval '15 minutes')) AS v(d),
            LATERAL (SELECT (wall AT TIME ZONE tz) - v.d AS t) AS x
      WHERE (x.t AT TIME ZONE tz) = wall
      ORDER BY t LIMIT 1),
    wall AT TIME ZONE tz)
$$;
--> statement-breakpoint
CREATE FUNCTION papermail_next_send(tz text, send_hour integer, weekly boolean, send_day integer, after timestamptz) RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  d date := (after AT TIME ZONE tz)::date - 1;
  t timestamptz;
BEGIN
  -- The first local send time strictly after `after`: at send_hour, every day or on send_day (ISO, 1 = Monday).
  FOR i IN 0..15 LOOP
    IF NOT weekly OR extract(isodow FROM d + i) = send_day THEN
      t := papermail_local_instant(tz, (d + i) + make_interval(hours => send_hour));
      IF t > after THEN RETURN t; END IF;
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION papermail_slot(frequency text, tz text, at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN frequency = 'weekly' THEN 'weekly:' || to_char(at AT TIME ZONE tz, 'IYYY-"W"IW')
              ELSE 'daily:' || to_char(at AT TIME ZONE tz, 'YYYY-MM-DD') END
$$;
--> statement-breakpoint
DROP INDEX "deliveries_edition_subscriber_key";--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "slot" text;--> statement-breakpoint
UPDATE "deliveries" SET "slot" = 'edition:' || "edition_id";--> statement-breakpoint
ALTER TABLE "deliveries" ALTER COLUMN "slot" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "send_day" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "timezone_chosen" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "next_send_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "deliveries_subscriber_slot_key" ON "deliveries" USING btree ("subscriber_id","slot");--> statement-breakpoint
CREATE INDEX "subscribers_due_idx" ON "subscribers" USING btree ("frequency","next_send_at") WHERE "subscribers"."status" = 'active';--> statement-breakpoint
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_send_day_check" CHECK ("subscribers"."send_day" between 1 and 7);--> statement-breakpoint
UPDATE "subscribers" SET "next_send_at" = papermail_next_send("timezone", "send_hour", "frequency" = 'weekly', "send_day", now())
WHERE "status" = 'active' AND "frequency" <> 'paused';
