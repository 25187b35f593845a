ALTER TABLE "editions" DROP COLUMN "mime_template";--> statement-breakpoint
ALTER TABLE "editions" DROP COLUMN "renders";