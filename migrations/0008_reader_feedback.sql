CREATE TYPE "public"."feedback_choice" AS ENUM('more', 'less');--> statement-breakpoint
CREATE TABLE "feedback" (
	"subscriber_id" bigint NOT NULL,
	"paper_id" text NOT NULL,
	"choice" "feedback_choice" NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feedback_subscriber_id_paper_id_pk" PRIMARY KEY("subscriber_id","paper_id")
);
--> statement-breakpoint
ALTER TABLE "papers" ADD COLUMN "vector" jsonb;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_subscriber_id_subscribers_id_fk" FOREIGN KEY ("subscriber_id") REFERENCES "public"."subscribers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_paper_id_papers_id_fk" FOREIGN KEY ("paper_id") REFERENCES "public"."papers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feedback_subscriber_at_idx" ON "feedback" USING btree ("subscriber_id","at");