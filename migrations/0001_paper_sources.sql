DROP INDEX "papers_rank_idx";--> statement-breakpoint
ALTER TABLE "papers" ALTER COLUMN "upvotes" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "papers" ALTER COLUMN "upvotes" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "editions" ADD COLUMN "note" text;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "comments" integer;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "thumbnail" text;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "keywords" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "categories" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "organization" text;--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "sources" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "papers_first_seen_idx" ON "papers" USING btree ("first_seen_at");--> statement-breakpoint
CREATE INDEX "papers_featured_idx" ON "papers" USING btree ("featured_on");