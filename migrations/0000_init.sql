CREATE TABLE "dedupe_overrides" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"entry_id" integer,
	"note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "diagnostics" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" integer NOT NULL,
	"document_id" integer,
	"file" text NOT NULL,
	"n" integer,
	"line" integer,
	"code" text NOT NULL,
	"severity" text NOT NULL,
	"message" text NOT NULL,
	"excerpt" text,
	"data" jsonb,
	"raw" text
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" serial PRIMARY KEY NOT NULL,
	"path" text NOT NULL,
	"sha256" text NOT NULL,
	"format" text,
	"encoding" text,
	"bytes" integer,
	"status" text NOT NULL,
	"latest" boolean DEFAULT false NOT NULL,
	"entry_count" integer DEFAULT 0 NOT NULL,
	"parse_ms" integer,
	"load_ms" integer,
	"first_run_id" integer NOT NULL,
	"last_run_id" integer NOT NULL,
	"loaded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_path_sha256_key" UNIQUE("path","sha256")
);
--> statement-breakpoint
CREATE TABLE "entries" (
	"id" serial PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"title_key" text NOT NULL,
	"bands" bigint[] NOT NULL,
	"merged_into_id" integer,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"source" text,
	"country" text,
	"date" text,
	"date_precision" text,
	"date_flag" text,
	"doi" text,
	"pmid" text,
	"pmcid" text,
	"language" text NOT NULL,
	"content_hash" text NOT NULL,
	"provenance" jsonb NOT NULL,
	"issues" jsonb NOT NULL,
	"first_run_id" integer NOT NULL,
	"last_run_id" integer NOT NULL,
	"in_latest" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "entries_key_key" UNIQUE("key")
);
--> statement-breakpoint
CREATE TABLE "entry_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"entry_id" integer NOT NULL,
	"rule" text NOT NULL,
	"similarity" real,
	"run_id" integer
);
--> statement-breakpoint
CREATE TABLE "entry_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"entry_id" integer NOT NULL,
	"run_id" integer NOT NULL,
	"content_hash" text NOT NULL,
	"values" jsonb NOT NULL,
	"replaced_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "occurrences" (
	"id" serial PRIMARY KEY NOT NULL,
	"run_id" integer NOT NULL,
	"document_id" integer NOT NULL,
	"entry_id" integer NOT NULL,
	"n" integer NOT NULL,
	"title_line" integer NOT NULL,
	"end_line" integer NOT NULL,
	"title" text NOT NULL,
	"content_hash" text NOT NULL,
	"outcome" text NOT NULL,
	"key" text NOT NULL,
	"values" jsonb NOT NULL,
	"match_rule" text,
	"similarity" real,
	"duplicate_of" text,
	CONSTRAINT "occurrences_document_n_key" UNIQUE("document_id","n")
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" serial PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"pipeline" text NOT NULL,
	"paths" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"files_read" integer DEFAULT 0 NOT NULL,
	"files_rejected" integer DEFAULT 0 NOT NULL,
	"files_unchanged" integer DEFAULT 0 NOT NULL,
	"entries_read" integer DEFAULT 0 NOT NULL,
	"entries_new" integer DEFAULT 0 NOT NULL,
	"entries_updated" integer DEFAULT 0 NOT NULL,
	"entries_unchanged" integer DEFAULT 0 NOT NULL,
	"entries_duplicate" integer DEFAULT 0 NOT NULL,
	"entries_rejected" integer DEFAULT 0 NOT NULL,
	"jobs_total" integer,
	"jobs_done" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "dedupe_overrides" ADD CONSTRAINT "dedupe_overrides_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnostics" ADD CONSTRAINT "diagnostics_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "diagnostics" ADD CONSTRAINT "diagnostics_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_first_run_id_runs_id_fk" FOREIGN KEY ("first_run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_last_run_id_runs_id_fk" FOREIGN KEY ("last_run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_first_run_id_runs_id_fk" FOREIGN KEY ("first_run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_last_run_id_runs_id_fk" FOREIGN KEY ("last_run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_keys" ADD CONSTRAINT "entry_keys_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_keys" ADD CONSTRAINT "entry_keys_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_versions" ADD CONSTRAINT "entry_versions_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_versions" ADD CONSTRAINT "entry_versions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "occurrences" ADD CONSTRAINT "occurrences_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "occurrences" ADD CONSTRAINT "occurrences_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "occurrences" ADD CONSTRAINT "occurrences_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dedupe_overrides_key_idx" ON "dedupe_overrides" USING btree ("key");--> statement-breakpoint
CREATE INDEX "diagnostics_run_idx" ON "diagnostics" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "diagnostics_code_idx" ON "diagnostics" USING btree ("code");--> statement-breakpoint
CREATE INDEX "documents_path_idx" ON "documents" USING btree ("path");--> statement-breakpoint
CREATE INDEX "entries_doi_idx" ON "entries" USING btree ("doi");--> statement-breakpoint
CREATE INDEX "entries_title_key_idx" ON "entries" USING btree ("title_key");--> statement-breakpoint
CREATE INDEX "entries_bands_idx" ON "entries" USING gin ("bands") WITH (fastupdate=false);--> statement-breakpoint
CREATE INDEX "occurrences_entry_idx" ON "occurrences" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "occurrences_run_idx" ON "occurrences" USING btree ("run_id");