ALTER TABLE "editions" ADD COLUMN "pause_kind" text;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "paused_signature" text;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "next_probe_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "probes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "erased" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Editions paused before this migration were paused by the breaker: probe them, and resume them once a probe passes.
UPDATE "editions" SET "pause_kind" = 'breaker', "next_probe_at" = now() WHERE "status" = 'paused';
