ALTER TYPE "public"."edition_status" ADD VALUE 'assigning' BEFORE 'sending';--> statement-breakpoint
ALTER TYPE "public"."edition_status" ADD VALUE 'paused';--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outbox_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"subscriber_id" bigint NOT NULL,
	"job_id" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "deliveries" ADD COLUMN "claim_token" uuid;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "audience_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "assign_beat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "paused_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "paused_reason" text;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "resumed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "suppressions" ADD COLUMN "delivery_id" bigint;