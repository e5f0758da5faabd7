import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, real, serial, text, timestamp, unique } from 'drizzle-orm/pg-core';

/**
 * One row per run of `digest ingest`. The counts obey
 * entries_read = entries_new + entries_updated + entries_unchanged + entries_duplicate + entries_rejected,
 * and are updated in the same transaction as each document's rows (a checkpoint).
 */
export const runs = pgTable('runs', {
  id: serial('id').primaryKey(),
  status: text('status').notNull().default('running'), // running | finished | failed | abandoned
  pipeline: text('pipeline').notNull(),
  paths: jsonb('paths').$type<string[]>().notNull().default(sql`'[]'::jsonb`),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  filesRead: integer('files_read').notNull().default(0),
  filesRejected: integer('files_rejected').notNull().default(0),
  filesUnchanged: integer('files_unchanged').notNull().default(0),
  entriesRead: integer('entries_read').notNull().default(0),
  entriesNew: integer('entries_new').notNull().default(0),
  entriesUpdated: integer('entries_updated').notNull().default(0),
  entriesUnchanged: integer('entries_unchanged').notNull().default(0),
  entriesDuplicate: integer('entries_duplicate').notNull().default(0),
  entriesRejected: integer('entries_rejected').notNull().default(0),
  /** For runs spread over the job queue: documents enqueued, and documents finished. */
  jobsTotal: integer('jobs_total'),
  jobsDone: integer('jobs_done').notNull().default(0),
  error: text('error'),
});

/** One row per version (path + content hash) of an input file, loaded or rejected. */
export const documents = pgTable(
  'documents',
  {
    id: serial('id').primaryKey(),
    path: text('path').notNull(),
    sha256: text('sha256').notNull(),
    format: text('format'),
    encoding: text('encoding'),
    bytes: integer('bytes'),
    status: text('status').notNull(), // loaded | rejected
    /** True for the version of its path loaded most recently (only one per path). */
    latest: boolean('latest').notNull().default(false),
    entryCount: integer('entry_count').notNull().default(0),
    /** Milliseconds spent reading+parsing and loading this version (for the report). */
    parseMs: integer('parse_ms'),
    loadMs: integer('load_ms'),
    firstRunId: integer('first_run_id').notNull().references(() => runs.id),
    lastRunId: integer('last_run_id').notNull().references(() => runs.id),
    loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('documents_path_sha256_key').on(t.path, t.sha256), index('documents_path_idx').on(t.path)],
);

/** One row per item: the clean fields of its latest version, under a unique natural key. */
export const entries = pgTable(
  'entries',
  {
    id: serial('id').primaryKey(),
    /** Natural key of the item's first version (all its keys are in entry_keys). */
    key: text('key').notNull(),
    /** Folded title without country prefix, for the repeated-title rule. */
    titleKey: text('title_key').notNull(),
    /**
     * MinHash LSH buckets of the item's text (band * 2^32 + band hash). Indexed through
     * entry_buckets, which triggers keep equal to this column (migrations/0002).
     */
    bands: bigint('bands', { mode: 'number' }).array().notNull(),
    /** Set when `digest merge` folded this item into another. */
    mergedIntoId: integer('merged_into_id'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    source: text('source'),
    country: text('country'),
    date: text('date'),
    datePrecision: text('date_precision'),
    dateFlag: text('date_flag'),
    doi: text('doi'),
    pmid: text('pmid'),
    pmcid: text('pmcid'),
    language: text('language').notNull(),
    contentHash: text('content_hash').notNull(),
    provenance: jsonb('provenance').$type<Record<string, unknown>>().notNull(),
    issues: jsonb('issues').$type<string[]>().notNull(),
    firstRunId: integer('first_run_id').notNull().references(() => runs.id),
    lastRunId: integer('last_run_id').notNull().references(() => runs.id),
    inLatest: boolean('in_latest').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('entries_key_key').on(t.key),
    index('entries_doi_idx').on(t.doi),
    index('entries_title_key_idx').on(t.titleKey),
  ],
);

/**
 * The near-duplicate index: one row per (LSH bucket, item), for every bucket in entries.bands of
 * the items not merged into another (merged_into_id null).
 * Written only by triggers on `entries` (migrations/0002_entry_buckets_triggers.sql), which
 * insert a statement's new rows in bucket order, so every writer (the loader, `digest split`,
 * tests and benchmarks that insert items directly) keeps it complete in the same transaction.
 * A btree on (bucket, entry_id) instead of a GIN index on entries.bands: the loader's probe
 * reads each bucket's oldest BUCKET_ROWS items straight from the index, 3x cheaper than
 * GIN's bitmap scan per bucket, and a document's rows go in as one sorted run
 * (`npm run bench:band-index`). No foreign key: checking one per bucket row would cost an
 * index probe of entries 32 times per item; the triggers remove an item's rows with it.
 */
export const entryBuckets = pgTable(
  'entry_buckets',
  {
    bucket: bigint('bucket', { mode: 'number' }).notNull(),
    entryId: integer('entry_id').notNull(),
  },
  (t) => [primaryKey({ name: 'entry_buckets_pkey', columns: [t.bucket, t.entryId] })],
);

/** Every natural key that resolves to an item: its own, and those of variants merged into it. */
export const entryKeys = pgTable('entry_keys', {
  key: text('key').primaryKey(),
  entryId: integer('entry_id').notNull().references(() => entries.id),
  /** How the key came to the item: first | exact | near-duplicate | repeated-title | merge | split */
  rule: text('rule').notNull(),
  similarity: real('similarity'),
  runId: integer('run_id').references(() => runs.id),
});

/** A person's correction of a dedupe decision (`digest split` / `digest merge`), kept on re-runs. */
export const dedupeOverrides = pgTable(
  'dedupe_overrides',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').notNull(), // split | merge
    /** The natural key the decision is about. */
    key: text('key').notNull(),
    entryId: integer('entry_id').references(() => entries.id),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('dedupe_overrides_key_idx').on(t.key)],
);

/** Previous values of an item, kept when a later version changes it (a fixed typo). */
export const entryVersions = pgTable('entry_versions', {
  id: serial('id').primaryKey(),
  entryId: integer('entry_id').notNull().references(() => entries.id),
  runId: integer('run_id').notNull().references(() => runs.id),
  contentHash: text('content_hash').notNull(),
  values: jsonb('values').$type<Record<string, unknown>>().notNull(),
  replacedAt: timestamp('replaced_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Where an item was seen: entry x document version x run, with its position and line. */
export const occurrences = pgTable(
  'occurrences',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id').notNull().references(() => runs.id),
    documentId: integer('document_id').notNull().references(() => documents.id),
    entryId: integer('entry_id').notNull().references(() => entries.id),
    n: integer('n').notNull(),
    titleLine: integer('title_line').notNull(),
    endLine: integer('end_line').notNull(),
    title: text('title').notNull(),
    contentHash: text('content_hash').notNull(),
    outcome: text('outcome').notNull(), // new | updated | unchanged | duplicate
    /** The natural key of this occurrence's own content. */
    key: text('key').notNull(),
    /** The values as read here (they may differ from the item's), for explain/split. */
    values: jsonb('values').$type<Record<string, unknown>>().notNull(),
    matchRule: text('match_rule'),
    similarity: real('similarity'),
    duplicateOf: text('duplicate_of'),
  },
  (t) => [unique('occurrences_document_n_key').on(t.documentId, t.n), index('occurrences_entry_idx').on(t.entryId), index('occurrences_run_idx').on(t.runId)],
);

/** Diagnostics of a run: rejected files and entries with their reasons, and entry issues. */
export const diagnostics = pgTable(
  'diagnostics',
  {
    id: serial('id').primaryKey(),
    runId: integer('run_id').notNull().references(() => runs.id),
    documentId: integer('document_id').references(() => documents.id),
    file: text('file').notNull(),
    n: integer('n'),
    line: integer('line'),
    code: text('code').notNull(),
    severity: text('severity').notNull(),
    message: text('message').notNull(),
    excerpt: text('excerpt'),
    data: jsonb('data').$type<Record<string, unknown>>(),
    /** For a rejected entry: its raw text, so it can be replayed after a fix. */
    raw: text('raw'),
  },
  (t) => [index('diagnostics_run_idx').on(t.runId), index('diagnostics_code_idx').on(t.code)],
);
