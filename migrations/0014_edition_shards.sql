-- A large audience is assigned in ranges of reader ids, one job each, on any worker (src/jobs/build-edition.ts).
CREATE TABLE "edition_shards" (
	"edition_id" bigint NOT NULL,
	"first_id" bigint NOT NULL,
	"last_id" bigint,
	"beat_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	CONSTRAINT "edition_shards_edition_id_first_id_pk" PRIMARY KEY("edition_id","first_id")
);
--> statement-breakpoint
ALTER TABLE "edition_shards" ADD CONSTRAINT "edition_shards_edition_id_editions_id_fk" FOREIGN KEY ("edition_id") REFERENCES "public"."editions"("id") ON DELETE cascade ON UPDATE no action;