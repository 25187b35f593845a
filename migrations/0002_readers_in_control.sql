ALTER TYPE "public"."delivery_status" ADD VALUE 'skipped';--> statement-breakpoint
ALTER TYPE "public"."frequency" ADD VALUE 'paused';--> statement-breakpoint
CREATE TABLE "consents" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "consents_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscriber_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip" text,
	"user_agent" text,
	"form_version" text
);
--> statement-breakpoint
CREATE TABLE "edition_renders" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "edition_renders_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"edition_id" bigint NOT NULL,
	"list_key" text NOT NULL,
	"paper_ids" jsonb NOT NULL,
	"subject" text NOT NULL,
	"mime_template" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "deliveries_subscriber_idx";--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "render_id" bigint;--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "paper_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "email_hash" text;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "topics" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "max_papers" integer;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "send_hour" integer DEFAULT 8 NOT NULL;--> statement-breakpoint
ALTER TABLE "subscribers" ADD COLUMN "timezone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "consents" ADD CONSTRAINT "consents_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "edition_renders" ADD CONSTRAINT "edition_renders_edition_id_editions_id_fk" FOREIGN KEY ("edition_id") REFERENCES "public"."editions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "consents_subscriber_idx" ON "consents" USING btree ("subscriber_id");--> statement-breakpoint
CREATE UNIQUE INDEX "edition_renders_list_key" ON "edition_renders" USING btree ("edition_id","list_key");--> statement-breakpoint
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_render_id_edition_renders_id_fk" FOREIGN KEY ("render_id") REFERENCES "public"."edition_renders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deliveries_subscriber_idx" ON "deliveries" USING btree ("subscriber_id","edition_id");--> statement-breakpoint
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_send_hour_check" CHECK ("subscribers"."send_hour" between 0 and 23);--> statement-breakpoint
ALTER TABLE "subscribers" ADD CONSTRAINT "subscribers_max_papers_check" CHECK ("subscribers"."max_papers" is null or "subscribers"."max_papers" between 1 and 30);