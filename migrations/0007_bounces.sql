CREATE TABLE "bounce_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "bounce_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"email" text NOT NULL,
	"kind" text NOT NULL,
	"source" text NOT NULL,
	"detail" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "suppressions" ADD COLUMN "source" text DEFAULT 'smtp' NOT NULL;--> statement-breakpoint
CREATE INDEX "bounce_events_email_at_idx" ON "bounce_events" USING btree ("email","at");--> statement-breakpoint
UPDATE "suppressions" SET "source" = 'erased' WHERE "reason" = 'erased';
