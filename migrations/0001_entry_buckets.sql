CREATE TABLE "entry_buckets" (
	"bucket" bigint NOT NULL,
	"entry_id" integer NOT NULL,
	CONSTRAINT "entry_buckets_pkey" PRIMARY KEY("bucket","entry_id")
);
--> statement-breakpoint
DROP INDEX "entries_bands_idx";