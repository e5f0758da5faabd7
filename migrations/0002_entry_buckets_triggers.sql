-- Custom SQL migration file, put your code below! --
-- entry_buckets mirrors entries.bands of the live items (merged_into_id null): one
-- (bucket, entry_id) row per LSH bucket. Triggers keep it so in the writer's own transaction,
-- whoever writes entries; the near-duplicate probe then reads the index alone.
-- (drizzle-kit does not model functions or triggers: this file was made by
-- `drizzle-kit generate --custom` and holds what the schema cannot say.)

-- New items: one statement's rows, inserted in bucket order, so a document's buckets go into
-- the btree as one sorted run instead of 32 random descents per item.
CREATE FUNCTION "entry_buckets_after_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "entry_buckets" ("bucket", "entry_id")
  SELECT DISTINCT b."bucket", n."id" FROM "new_entries" n CROSS JOIN LATERAL unnest(n."bands") AS b("bucket")
  WHERE n."merged_into_id" IS NULL
  ORDER BY 1, 2;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "entries_buckets_insert" AFTER INSERT ON "entries"
  REFERENCING NEW TABLE AS "new_entries" FOR EACH STATEMENT EXECUTE FUNCTION "entry_buckets_after_insert"();
--> statement-breakpoint
-- An item whose text changed (an `updated` entry) moves to its new buckets; an item that
-- `digest merge` folded into another leaves its buckets (and comes back if unmerged). Row-level
-- with a WHEN clause: the frequent updates that change neither (last_run_id, in_latest) cost nothing.
CREATE FUNCTION "entry_buckets_after_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."merged_into_id" IS NULL THEN
    DELETE FROM "entry_buckets" s USING unnest(OLD."bands") AS b("bucket") WHERE s."bucket" = b."bucket" AND s."entry_id" = OLD."id";
  END IF;
  IF NEW."merged_into_id" IS NULL THEN
    INSERT INTO "entry_buckets" ("bucket", "entry_id")
    SELECT DISTINCT b."bucket", NEW."id" FROM unnest(NEW."bands") AS b("bucket") ORDER BY 1;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "entries_buckets_update" AFTER UPDATE OF "bands", "merged_into_id", "id" ON "entries"
  FOR EACH ROW WHEN (OLD."bands" IS DISTINCT FROM NEW."bands" OR OLD."merged_into_id" IS DISTINCT FROM NEW."merged_into_id" OR OLD."id" <> NEW."id")
  EXECUTE FUNCTION "entry_buckets_after_update"();
--> statement-breakpoint
CREATE FUNCTION "entry_buckets_after_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "entry_buckets" s USING "old_entries" o CROSS JOIN LATERAL unnest(o."bands") AS b("bucket")
  WHERE o."merged_into_id" IS NULL AND s."bucket" = b."bucket" AND s."entry_id" = o."id";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "entries_buckets_delete" AFTER DELETE ON "entries"
  REFERENCING OLD TABLE AS "old_entries" FOR EACH STATEMENT EXECUTE FUNCTION "entry_buckets_after_delete"();
--> statement-breakpoint
CREATE FUNCTION "entry_buckets_after_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "entry_buckets";
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "entries_buckets_truncate" AFTER TRUNCATE ON "entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "entry_buckets_after_truncate"();
--> statement-breakpoint
-- A database loaded before this migration: its items' buckets, in bucket order.
INSERT INTO "entry_buckets" ("bucket", "entry_id")
SELECT DISTINCT b."bucket", e."id" FROM "entries" e CROSS JOIN LATERAL unnest(e."bands") AS b("bucket")
WHERE e."merged_into_id" IS NULL
ORDER BY 1, 2;
