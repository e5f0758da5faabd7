import { and, eq, inArray, sql } from 'drizzle-orm';
import { BUCKET_ROWS, fingerprint, MAX_CANDIDATES, MIN_SHARED_BANDS, nearSimilarity } from '../dedupe/similarity.ts';
import { type Db, rowsOf } from '../db/client.ts';
import { diagnostics as diagnosticsT, documents, entries as entriesT, entryKeys, entryVersions, occurrences, runs } from '../db/schema.ts';
import { isRejected } from '../quality/quality.ts';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from './limits.ts';
import type { DedupedEntry, Diagnostic, RawDocument, RejectedDocument, RunCounts } from '../types.ts';

/** Rows per multi-row statement (well under Postgres' 65,535 parameters). */
const CHUNK = 500;

function chunks<T>(xs: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/** Counts a document contributes to its run. */
export type DocCounts = Omit<RunCounts, never>;

/** Zero counts. */
export function zeroCounts(): RunCounts {
  return { filesRead: 0, filesRejected: 0, filesUnchanged: 0, entriesRead: 0, entriesNew: 0, entriesUpdated: 0, entriesUnchanged: 0, entriesDuplicate: 0, entriesRejected: 0 };
}

/** Adds `b` into `a`. */
export function addCounts(a: RunCounts, b: RunCounts): RunCounts {
  const out = { ...a };
  for (const k of Object.keys(out) as (keyof RunCounts)[]) out[k] += b[k];
  return out;
}

/** Creates a run row; returns its id. */
export async function startRun(db: Db, pipeline: string, paths: string[]): Promise<number> {
  const [row] = await db.insert(runs).values({ pipeline, paths, status: 'running' }).returning({ id: runs.id });
  return row!.id;
}

/** What a run left `running` by a dead process is closed with. */
export const ABANDONED_REASON = 'the process that started it ended before the run finished';

/**
 * Marks runs left `running` by a killed process as `abandoned`. Only safe where no other
 * process can be running (the embedded database, which is locked to one process).
 */
export async function abandonStaleRuns(db: Db, exceptRunId: number): Promise<number> {
  const rows = await db
    .update(runs)
    .set({ status: 'abandoned', finishedAt: sql`now()`, error: ABANDONED_REASON })
    .where(and(eq(runs.status, 'running'), sql`${runs.id} <> ${exceptRunId}`))
    .returning({ id: runs.id });
  return rows.length;
}

/** Closes a run with its final status (`abandoned`: stopped before its last document, with the reason). */
export async function finishRun(db: Db, runId: number, status: 'finished' | 'failed' | 'abandoned', error: string | null = null): Promise<void> {
  await db.update(runs).set({ status, finishedAt: sql`now()`, error }).where(eq(runs.id, runId));
}

/** Adds a document's counts to its run row, inside the caller's transaction (the checkpoint). */
async function addToRun(tx: Db, runId: number, c: RunCounts): Promise<void> {
  await tx
    .update(runs)
    .set({
      filesRead: sql`${runs.filesRead} + ${c.filesRead}`,
      filesRejected: sql`${runs.filesRejected} + ${c.filesRejected}`,
      filesUnchanged: sql`${runs.filesUnchanged} + ${c.filesUnchanged}`,
      entriesRead: sql`${runs.entriesRead} + ${c.entriesRead}`,
      entriesNew: sql`${runs.entriesNew} + ${c.entriesNew}`,
      entriesUpdated: sql`${runs.entriesUpdated} + ${c.entriesUpdated}`,
      entriesUnchanged: sql`${runs.entriesUnchanged} + ${c.entriesUnchanged}`,
      entriesDuplicate: sql`${runs.entriesDuplicate} + ${c.entriesDuplicate}`,
      entriesRejected: sql`${runs.entriesRejected} + ${c.entriesRejected}`,
    })
    .where(eq(runs.id, runId));
}

/**
 * Refreshes the planner's statistics of the tables the loader reads while it writes them. A
 * bulk load grows them faster than autovacuum re-analyzes them (or autovacuum is off, as on
 * this project's test server): with statistics from when `entries` was empty, the lookup of a
 * bare title line was planned as a sequential scan of the whole table for every document
 * (0.3 s per document at 100k items; 1.7 ms after ANALYZE). Takes no lock that blocks writers.
 */
export async function refreshStatistics(db: Db): Promise<void> {
  await db.execute(sql`analyze entries, entry_buckets, entry_keys, occurrences, documents`);
}

/**
 * Marks the near-duplicate index's new heap pages all-visible (VACUUM of entry_buckets), so the
 * near-duplicate probe reads the btree alone instead of fetching each bucket row's heap page to
 * check it is visible. Autovacuum does this on its own schedule, or never where it is off (as on
 * this project's test server): measured at 1M items, 500 probes took 488 ms with every row
 * fetched from the heap and 84-132 ms after one VACUUM (4 s for the first, whole table; later
 * ones read only the pages added since). Cannot run inside a transaction; `skip_locked`: if
 * another session is vacuuming the table, this one does not wait for it.
 */
export async function vacuumBuckets(db: Db): Promise<void> {
  await db.execute(sql`vacuum (skip_locked) entry_buckets`);
}

/** Serialises writers of the same path across processes (a no-op cost on PGlite). */
async function lockPath(tx: Db, path: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${path}, 0))`);
}

function diagRow(runId: number, documentId: number | null, d: Diagnostic, raw: string | null = null) {
  return {
    runId,
    documentId,
    file: d.file,
    n: d.n,
    line: d.line,
    code: d.code,
    severity: d.severity,
    message: d.message,
    excerpt: d.excerpt ?? null,
    data: d.data ?? null,
    raw,
  };
}

/** The latest loaded version of a path, if any. */
export async function findLatestDocument(db: Db, path: string): Promise<{ id: number; sha256: string; status: string; entryCount: number } | null> {
  const [row] = await db
    .select({ id: documents.id, sha256: documents.sha256, status: documents.status, entryCount: documents.entryCount })
    .from(documents)
    .where(and(eq(documents.path, path), eq(documents.latest, true)))
    .limit(1);
  return row ?? null;
}

/**
 * True when this exact content is the latest loaded version of its path: the file is
 * unchanged and need not be parsed. (An older version ingested after a newer one is a change.)
 */
export async function isUnchanged(db: Db, path: string, sha256: string): Promise<{ id: number; entryCount: number } | null> {
  const latest = await findLatestDocument(db, path);
  return latest && latest.sha256 === sha256 && latest.status === 'loaded' ? latest : null;
}

/** The latest loaded version of each of these paths (one query per 500 paths). */
export async function latestVersions(db: Db, paths: readonly string[]): Promise<Map<string, { id: number; sha256: string; entryCount: number }>> {
  const out = new Map<string, { id: number; sha256: string; entryCount: number }>();
  for (const part of chunks([...new Set(paths)])) {
    const rows = await db
      .select({ id: documents.id, path: documents.path, sha256: documents.sha256, entryCount: documents.entryCount })
      .from(documents)
      .where(and(inArray(documents.path, part), eq(documents.latest, true), eq(documents.status, 'loaded')));
    for (const r of rows) out.set(r.path, r);
  }
  return out;
}

/** Records many unchanged documents at once (one transaction): see markUnchanged. */
export async function markManyUnchanged(db: Db, runId: number, docs: ReadonlyArray<{ id: number; entryCount: number }>): Promise<RunCounts> {
  const entriesRead = docs.reduce((s, d) => s + d.entryCount, 0);
  const c = { ...zeroCounts(), filesRead: docs.length, filesUnchanged: docs.length, entriesRead, entriesUnchanged: entriesRead };
  if (!docs.length) return c;
  await db.transaction(async (tx) => {
    for (const part of chunks(docs.map((d) => d.id))) await tx.update(documents).set({ lastRunId: runId }).where(inArray(documents.id, part));
    await addToRun(tx as unknown as Db, runId, c);
  });
  return c;
}

/** Records that a natural key resolves to an item (first key, or an alias found by a rule). */
async function addKey(tx: Db, key: string, entryId: number, rule: string, similarity: number | null, runId: number): Promise<void> {
  await tx.insert(entryKeys).values({ key, entryId, rule, similarity, runId }).onConflictDoNothing({ target: entryKeys.key });
}

/**
 * The run's final step, in one transaction with its completion: items that no longer appear in
 * the latest version of any page are marked `in_latest = false` (they are kept). Covers the
 * paths this run touched and those of runs that were killed before this step.
 */
export async function retireAndFinish(db: Db, runId: number): Promise<void> {
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // Nothing loaded since the last finished run (an unchanged re-run): nothing to retire. Asked
    // first because the planner may scan every entry for the statement below even when no path
    // is affected (1.5 s at 100k items once the tables have statistics).
    const [since] = rowsOf<{ loaded: boolean }>(await tx.execute(sql`select exists (
      select 1 from occurrences where run_id > (select coalesce(max(id), 0) from runs where status = 'finished' and id < ${runId})
    ) as loaded`));
    if (since?.loaded) await tx.execute(sql`
      with since as (select coalesce(max(id), 0) as id from runs where status = 'finished' and id < ${runId}),
      paths as (
        -- Paths with a version loaded (not merely seen unchanged) since the last finished run.
        select distinct d.path from occurrences o join documents d on d.id = o.document_id, since where o.run_id > since.id
      ),
      affected as (
        select distinct o.entry_id from occurrences o join documents d on d.id = o.document_id
        where d.path in (select path from paths)
      )
      update entries e set in_latest = not e.in_latest
      where e.id in (select entry_id from affected)
        -- Only rows whose flag changes are written: rewriting an unchanged row costs a new
        -- tuple and its index entries (2.2 s per 10k items on a first run, all already true).
        and e.in_latest <> exists (
          select 1 from occurrences o join documents d on d.id = o.document_id where o.entry_id = e.id and d.latest
        )`);
    await tx.update(runs).set({ status: 'finished', finishedAt: sql`now()`, error: null }).where(eq(runs.id, runId));
  });
}

/**
 * Records an unchanged document (same path, same content hash as a loaded version): no parsing,
 * no entry rows; its entries count as unchanged. One transaction.
 */
export async function markUnchanged(db: Db, runId: number, documentId: number, entryCount: number): Promise<RunCounts> {
  const c = { ...zeroCounts(), filesRead: 1, filesUnchanged: 1, entriesRead: entryCount, entriesUnchanged: entryCount };
  await db.transaction(async (tx) => {
    await tx.update(documents).set({ lastRunId: runId }).where(eq(documents.id, documentId));
    await addToRun(tx as unknown as Db, runId, c);
  });
  return c;
}

/** Records a file that could not be read, with its reason. One transaction. */
export async function rejectDocument(db: Db, runId: number, r: RejectedDocument): Promise<RunCounts> {
  const c = { ...zeroCounts(), filesRead: 1, filesRejected: 1 };
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    let documentId: number | null = null;
    if (r.sha256) {
      const [row] = await t
        .insert(documents)
        .values({ path: r.path, sha256: r.sha256, bytes: r.bytes, status: 'rejected', firstRunId: runId, lastRunId: runId })
        .onConflictDoUpdate({ target: [documents.path, documents.sha256], set: { lastRunId: runId } })
        .returning({ id: documents.id });
      documentId = row?.id ?? null;
    }
    await t.insert(diagnosticsT).values(diagRow(runId, documentId, r.reason));
    await addToRun(t, runId, c);
  });
  return c;
}

/** The outcome of loading one entry. */
export type Outcome = 'new' | 'updated' | 'unchanged' | 'duplicate' | 'rejected';

/** What loading a document did. */
export interface LoadResult {
  counts: RunCounts;
  outcomes: Outcome[];
  documentId: number | null;
  /** True when another process had loaded the same version first (nothing was written). */
  alreadyLoaded: boolean;
}

/** Options of the loader. */
export interface LoadOptions {
  /** Near-duplicate threshold (Jaccard of character 5-grams). */
  nearThreshold: number;
  /** Natural keys a person split off: matched exactly only. */
  noFuzzy: ReadonlySet<string>;
  /** Milliseconds the document took to read and parse (stored for the report). */
  parseMs?: number;
  /** Seconds to wait for a lock another session holds; default DEFAULT_LOCK_TIMEOUT_SECONDS. */
  lockTimeoutSeconds?: number;
  /**
   * When given, the milliseconds each step of the load took are added to it, by step (see
   * LOAD_STEPS): where a document's load time goes, for the benchmark and for tuning.
   */
  timings?: LoadTimings;
}

/** The steps of loadDocument that `LoadOptions.timings` sums, in the order they run. */
export const LOAD_STEPS = ['begin', 'lookup', 'near-probe', 'insert-items', 'decide', 'keys', 'update-items', 'occurrences', 'diagnostics', 'commit'] as const;
/** Milliseconds per load step, summed over documents. */
export type LoadTimings = Partial<Record<(typeof LOAD_STEPS)[number], number>>;

/**
 * A stopwatch over the steps of one load: `lap(step)` adds the time since the previous lap
 * (or since the stopwatch started) to `step`. A no-op without `timings`.
 */
function stopwatch(timings: LoadTimings | undefined): (step: (typeof LOAD_STEPS)[number]) => void {
  if (!timings) return () => {};
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    timings[step] = (timings[step] ?? 0) + (now - last);
    last = now;
  };
}

/** The values of an entry as stored (item row, version row, occurrence row). */
export function entryValues(e: DedupedEntry) {
  return {
    title: e.title,
    body: e.body,
    source: e.source,
    country: e.country,
    date: e.date,
    datePrecision: e.datePrecision,
    dateFlag: e.dateFlag,
    doi: e.doi,
    pmid: e.pmid,
    pmcid: e.pmcid,
    language: e.language,
    contentHash: e.contentHash,
    provenance: e.provenance as Record<string, unknown>,
    issues: [...new Set(e.diagnostics.map((d) => d.code))],
    titleKey: e.titleKey,
    bands: e.bands,
  };
}

/** An item found for an entry in the database, and how. */
export interface ItemMatch {
  id: number;
  contentHash: string;
  lastRunId: number;
  rule: string;
  similarity: number;
}

/** An item as the matcher needs it. */
export type ItemRow = { id: number; contentHash: string; lastRunId: number };

/**
 * The items known under any of these natural keys, in one statement: the keys go in as one
 * JSON parameter and each is an index probe of entry_keys' primary key, so the cost follows
 * the number of keys, not the table. (An `IN ($1, …, $500)` list was planned as a sequential
 * scan of entry_keys comparing every row with every key: 0.23 s per 1,000 keys at 100k items,
 * most of what matching a batch cost, and growing with the table.)
 */
export async function lookupKeys(tx: Db, keyList: readonly string[]): Promise<Map<string, ItemRow>> {
  const byKey = new Map<string, ItemRow>();
  const keys = [...new Set(keyList)];
  if (!keys.length) return byKey;
  const rows = rowsOf<{ key: string; id: number; content_hash: string; last_run_id: number }>(
    await tx.execute(sql`select k.key, e.id, e.content_hash, e.last_run_id
      from jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb) as q(key)
      join entry_keys k on k.key = q.key
      join entries e on e.id = k.entry_id`),
  );
  for (const r of rows) byKey.set(r.key, { id: r.id, contentHash: r.content_hash, lastRunId: r.last_run_id });
  return byKey;
}

/**
 * Finds the loaded item an entry belongs to: `matchBatch` for one entry (by any of its natural
 * keys, then, for a bare title line, by its folded title, then by near-duplicate similarity).
 */
export async function findItem(tx: Db, e: DedupedEntry, byKey: Map<string, ItemRow>, opts: LoadOptions): Promise<ItemMatch | null> {
  return (await matchBatch(tx, [e], byKey, opts)).get(0) ?? null;
}

/** A loaded item that may be a near-duplicate of probe entry `i`, with what comparing it needs. */
export interface NearCandidate {
  i: number;
  id: number;
  content_hash: string;
  last_run_id: number;
  title: string;
  body: string;
  date: string | null;
  language: string;
  /** Buckets it was found in (of those read: at most BUCKET_ROWS items per bucket). */
  shared: number;
}

/**
 * The near-duplicate candidates of each probe (entry index + its LSH buckets), in one
 * statement: per bucket, the BUCKET_ROWS oldest live items in it (lowest ids, read in order
 * from entry_buckets' (bucket, entry_id) btree, which holds live items only, so a bucket that boilerplate filled costs
 * BUCKET_ROWS rows, not its size, and the same table always gives the same candidates);
 * counted across the probe's buckets; those found in at least MIN_SHARED_BANDS of them, the
 * MAX_CANDIDATES found in most (then the lowest id) per probe, with their text. The buckets are
 * visited in sorted order, so consecutive lookups read neighbouring index pages. The cost per
 * probe is bounded by BANDS * BUCKET_ROWS index rows whatever the table holds.
 */
export async function nearCandidates(tx: Db, probes: ReadonlyArray<{ i: number; bands: readonly number[] }>): Promise<Map<number, NearCandidate[]>> {
  const out = new Map<number, NearCandidate[]>();
  if (!probes.length) return out;
  const rows = rowsOf<NearCandidate>(
    await tx.execute(sql`with q as materialized (
        select q.i, b.band from jsonb_to_recordset(${JSON.stringify(probes)}::jsonb) as q(i int, bands bigint[])
        cross join lateral unnest(q.bands) as b(band)
        order by b.band
      ), hits as (
        select q.i, c.id, count(*)::int as shared
        from q
        cross join lateral (
          -- The bucket's range of the index, in entry_id order; it holds live items only
          -- (the triggers drop an item's buckets when \`digest merge\` folds it into another).
          select s.entry_id as id from entry_buckets s
          where s.bucket = q.band
          order by s.entry_id
          limit ${BUCKET_ROWS}
        ) c
        group by q.i, c.id
        having count(*) >= ${MIN_SHARED_BANDS}
      ), ranked as (
        select i, id, shared, row_number() over (partition by i order by shared desc, id) as r from hits
      )
      select r.i, r.shared, e.id, e.content_hash, e.last_run_id, e.title, e.body, e.date, e.language
      from ranked r join entries e on e.id = r.id
      where r.r <= ${MAX_CANDIDATES}
      order by r.i, r.r`),
  );
  for (const r of rows) (out.get(r.i) ?? out.set(r.i, []).get(r.i)!).push(r);
  return out;
}

/**
 * Finds the loaded items for many entries at once (one query for bare title lines, one for
 * near-duplicate candidates), so a document costs a fixed number of round trips. Entries with
 * an exact key hit are not looked up again. Returns entry index -> match.
 */
export async function matchBatch(tx: Db, list: readonly DedupedEntry[], byKey: Map<string, ItemRow>, opts: LoadOptions): Promise<Map<number, ItemMatch>> {
  const out = new Map<number, ItemMatch>();
  const titleOnly: number[] = [];
  const near: number[] = [];
  list.forEach((e, i) => {
    const exact = byKey.get(e.itemKey) ?? byKey.get(e.key);
    if (exact) out.set(i, { ...exact, rule: 'exact-key', similarity: 1 });
    else if (opts.noFuzzy.has(e.key)) return;
    else if (e.titleOnly) {
      if (e.titleKey) titleOnly.push(i);
    } else near.push(i);
  });
  if (titleOnly.length) {
    const keys = [...new Set(titleOnly.map((i) => list[i]!.titleKey))];
    const rows = rowsOf<{ title_key: string; id: number; content_hash: string; last_run_id: number }>(
      await tx.execute(sql`select distinct on (title_key) title_key, id, content_hash, last_run_id from entries
        where title_key in (select jsonb_array_elements_text(${JSON.stringify(keys)}::jsonb)) and merged_into_id is null
        order by title_key, id desc`),
    );
    const byTitle = new Map(rows.map((r) => [r.title_key, r]));
    for (const i of titleOnly) {
      const r = byTitle.get(list[i]!.titleKey);
      if (r) out.set(i, { id: r.id, contentHash: r.content_hash, lastRunId: r.last_run_id, rule: 'repeated-title', similarity: 1 });
    }
  }
  if (near.length) {
    const byEntry = await nearCandidates(tx, near.map((i) => ({ i, bands: list[i]!.bands })));
    const seen = new Map<number, ReturnType<typeof fingerprint>>();
    for (const i of near) {
      const cands = byEntry.get(i);
      if (!cands) continue;
      const fp = fingerprint(list[i]!, false);
      let best: ItemMatch | null = null;
      for (const c of cands) {
        let cfp = seen.get(c.id);
        if (!cfp) seen.set(c.id, (cfp = fingerprint(c, false)));
        const sim = nearSimilarity(fp, cfp);
        if (sim != null && sim >= opts.nearThreshold && (!best || sim > best.similarity)) {
          best = { id: c.id, contentHash: c.content_hash, lastRunId: c.last_run_id, rule: 'near-duplicate', similarity: Math.round(sim * 1000) / 1000 };
        }
      }
      if (best) out.set(i, best);
    }
  }
  return out;
}

/** Inserts rows given as one JSON parameter (fast on both drivers; no per-row parameters). */
async function insertJson(tx: Db, table: string, columns: Record<string, string>, rows: readonly Record<string, unknown>[], suffix = sql``): Promise<unknown> {
  if (!rows.length) return [];
  const cols = Object.keys(columns);
  const list = sql.raw(cols.map((c) => `"${c}"`).join(', '));
  const defs = sql.raw(cols.map((c) => `"${c}" ${columns[c]}`).join(', '));
  return tx.execute(sql`insert into ${sql.raw(`"${table}"`)} (${list}) select ${list} from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(${defs}) ${suffix}`);
}

/**
 * Loads one parsed document in one transaction: the document version (made the latest of its
 * path), new and changed items, key aliases, an occurrence per entry, diagnostics, and the
 * run's counts, in a fixed number of set-based statements. Outcomes: `new` (a new item),
 * `updated` (this page's copy of an item changed since the page's previous version that carried
 * it; the item takes the new values and the old ones go to entry_versions), `unchanged` (same values), `duplicate` (merged into an item seen earlier in
 * this run, or carried by another page with other text), `rejected` (an error diagnostic;
 * stored with its raw text). Re-loading the same version is a no-op; a kill before COMMIT
 * leaves nothing behind.
 */
export async function loadDocument(
  db: Db,
  runId: number,
  doc: RawDocument,
  list: readonly DedupedEntry[],
  docDiagnostics: readonly Diagnostic[],
  opts: LoadOptions,
): Promise<LoadResult> {
  const started = Date.now();
  const lap = stopwatch(opts.timings);
  const result = await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    // Never wait forever on a lock another session holds (a migration, VACUUM FULL, `lock table`).
    // No JIT: the bounded probes are planned at a cost past jit_above_cost, and compiling them
    // took longer than running them (tens of ms per document on a server built with LLVM).
    const lockTimeout = `${Math.round((opts.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS) * 1000)}ms`;
    await tx.execute(sql`select set_config('lock_timeout', ${lockTimeout}, true), set_config('jit', 'off', true)`);
    await lockPath(tx, doc.path);
    const latest = await findLatestDocument(tx, doc.path);
    if (latest && latest.sha256 === doc.sha256 && latest.status === 'loaded') {
      // Another loader committed this version first.
      const c = { ...zeroCounts(), filesRead: 1, filesUnchanged: 1, entriesRead: latest.entryCount, entriesUnchanged: latest.entryCount };
      await tx.update(documents).set({ lastRunId: runId }).where(eq(documents.id, latest.id));
      await addToRun(tx, runId, c);
      return { counts: c, outcomes: [], documentId: latest.id, alreadyLoaded: true };
    }
    lap('begin');
    await tx.update(documents).set({ latest: false }).where(and(eq(documents.path, doc.path), eq(documents.latest, true)));
    const [row] = await tx
      .insert(documents)
      .values({ path: doc.path, sha256: doc.sha256, format: doc.format, encoding: doc.encoding, bytes: doc.bytes, status: 'loaded', latest: true, entryCount: list.length, firstRunId: runId, lastRunId: runId })
      .onConflictDoUpdate({
        // An older version ingested again after a newer one (a real change), or a version that
        // was rejected before and parses now.
        target: [documents.path, documents.sha256],
        set: { status: 'loaded', latest: true, format: doc.format, encoding: doc.encoding, entryCount: list.length, lastRunId: runId, loadedAt: sql`now()` },
      })
      .returning({ id: documents.id });
    const documentId = row!.id;

    const counts = { ...zeroCounts(), filesRead: 1, entriesRead: list.length };
    const outcomes: Outcome[] = [];
    const accepted = list.map((e, i) => ({ e, i })).filter(({ e }) => !isRejected(e));

    // 1. What the database already knows: items by key, items this path carried before,
    //    and fuzzy matches for the rest (all set-based).
    const byKey = await lookupKeys(tx, accepted.flatMap(({ e }) => [e.itemKey, e.key]));
    // For each item this path carried before: the content hashes of its copies in the most
    // recent earlier version that carried it (what this page said about the item last time).
    const carried = new Map<number, Set<string>>();
    for (const r of rowsOf<{ entry_id: number; content_hash: string }>(
      await tx.execute(sql`with last as (
          select distinct on (o.entry_id) o.entry_id, o.document_id from occurrences o join documents d on d.id = o.document_id
          where d.path = ${doc.path} and d.id <> ${documentId} order by o.entry_id, d.id desc)
        select o.entry_id, o.content_hash from occurrences o join last l on l.entry_id = o.entry_id and l.document_id = o.document_id`),
    )) (carried.get(r.entry_id) ?? carried.set(r.entry_id, new Set()).get(r.entry_id)!).add(r.content_hash);
    const firsts = accepted.filter(({ e }) => !e.duplicateOf);
    lap('lookup');
    const matches = await matchBatch(tx, firsts.map(({ e }) => e), byKey, opts);
    lap('near-probe');
    const matchOf = new Map<number, ItemMatch>();
    firsts.forEach(({ i }, k) => {
      const m = matches.get(k);
      if (m) matchOf.set(i, m);
    });

    // 2. New items: the first entry of each item key no loaded item matched.
    const fresh = new Map<string, DedupedEntry>();
    for (const { e, i } of accepted) if (!e.duplicateOf && !matchOf.has(i) && !fresh.has(e.itemKey)) fresh.set(e.itemKey, e);
    const ids = new Map<string, number>(); // itemKey -> item id
    if (fresh.size) {
      const inserted = rowsOf<{ id: number; key: string }>(
        await insertJson(tx, 'entries', ENTRY_COLUMNS, [...fresh.values()].map((e) => entryRow(e, runId)), sql`on conflict (key) do nothing returning id, key`),
      );
      for (const r of inserted) ids.set(r.key, r.id);
      const missing = [...fresh.keys()].filter((k) => !ids.has(k));
      if (missing.length) {
        // Another loader inserted these keys between our lookup and insert: they are its items.
        const again = await lookupKeys(tx, missing);
        for (const k of missing) {
          const hit = again.get(k);
          if (hit) {
            const idx = accepted.find(({ e }) => e.itemKey === k)!.i;
            matchOf.set(idx, { ...hit, rule: 'exact-key', similarity: 1 });
            fresh.delete(k);
          }
        }
      }
    }

    lap('insert-items');

    // 3. Outcomes, in document order.
    const decided: Array<{ e: DedupedEntry; outcome: Outcome; itemId: number | null; rule: string | null; similarity: number | null }> = [];
    const updated = new Map<number, DedupedEntry>();
    const newKeys: Array<{ key: string; entry_id: number; rule: string; similarity: number | null; run_id: number }> = [];
    const addAlias = (key: string, id: number, rule: string, similarity: number | null) => {
      if (byKey.get(key)?.id === id) return;
      byKey.set(key, { id, contentHash: '', lastRunId: runId });
      newKeys.push({ key, entry_id: id, rule, similarity, run_id: runId });
    };
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (isRejected(e)) {
        decided.push({ e, outcome: 'rejected', itemId: null, rule: null, similarity: null });
        continue;
      }
      const m = matchOf.get(i);
      const known = ids.get(e.itemKey);
      if (!m && known != null) {
        // The item was created by this document: its first entry is `new`, the rest merged.
        const isFirst = fresh.get(e.itemKey) === e;
        if (isFirst) addAlias(e.itemKey, known, 'first', null);
        if (e.key !== e.itemKey) addAlias(e.key, known, e.match?.rule ?? 'exact-key', e.match?.similarity ?? 1);
        decided.push({ e, outcome: isFirst ? (e.duplicateOf ? 'duplicate' : 'new') : 'duplicate', itemId: known, rule: e.match?.rule ?? null, similarity: e.match?.similarity ?? null });
        continue;
      }
      if (!m) {
        // Merged in memory into an entry that matched a loaded item.
        const target = ids.get(e.itemKey);
        if (target == null) throw new Error(`internal: no item for ${e.file}#${e.n} (key ${e.itemKey})`);
        decided.push({ e, outcome: 'duplicate', itemId: target, rule: e.match?.rule ?? 'exact-key', similarity: e.match?.similarity ?? 1 });
        continue;
      }
      ids.set(e.itemKey, m.id);
      if (m.rule !== 'exact-key' || !byKey.has(e.key)) addAlias(e.key, m.id, m.rule, m.similarity);
      let outcome: Outcome;
      // An item is updated when this page's own copy of it changed since the page's previous
      // version, whatever other pages (or earlier runs) did to it: so the result does not
      // depend on the order of the pages or on where a killed run stopped.
      const before = carried.get(m.id);
      if (e.duplicateOf || updated.has(m.id)) outcome = 'duplicate';
      else if (m.contentHash !== e.contentHash && before && !before.has(e.contentHash)) outcome = 'updated';
      else if (m.lastRunId === runId) outcome = 'duplicate';
      else if (m.contentHash === e.contentHash) outcome = 'unchanged';
      else outcome = 'duplicate';
      if (outcome === 'updated') updated.set(m.id, e);
      decided.push({ e, outcome, itemId: m.id, rule: m.rule, similarity: m.similarity });
    }
    // Entries merged in memory into an entry decided later in the loop (ids filled above).
    for (const d of decided) if (d.itemId == null && d.outcome !== 'rejected') d.itemId = ids.get(d.e.itemKey) ?? null;
    lap('decide');

    // 4. Writes: key aliases, changed items (old values kept), last-seen marks, occurrences,
    //    diagnostics, the document's timings and the run's counts.
    await insertJson(tx, 'entry_keys', { key: 'text', entry_id: 'int', rule: 'text', similarity: 'real', run_id: 'int' }, newKeys, sql`on conflict (key) do nothing`);
    lap('keys');
    if (updated.size) {
      await tx.execute(sql`insert into entry_versions (entry_id, run_id, content_hash, "values")
        select e.id, ${runId}, e.content_hash, to_jsonb(e) - 'id' - 'bands' from entries e where e.id in (select jsonb_array_elements_text(${JSON.stringify([...updated.keys()])}::jsonb)::int)`);
      for (const [id, e] of updated) {
        await tx.update(entriesT).set({ ...entryValues(e), lastRunId: runId, updatedAt: sql`now()`, inLatest: true }).where(eq(entriesT.id, id));
      }
    }
    const touched = [...new Set(decided.filter((d) => d.outcome === 'unchanged' || d.outcome === 'duplicate').map((d) => d.itemId).filter((x): x is number => x != null && !updated.has(x)))];
    if (touched.length) {
      await tx.execute(sql`update entries set last_run_id = ${runId}, in_latest = true
        where id in (select jsonb_array_elements_text(${JSON.stringify(touched)}::jsonb)::int) and (last_run_id <> ${runId} or not in_latest)`);
    }
    lap('update-items');
    const occ: Record<string, unknown>[] = [];
    const diags = docDiagnostics.map((d) => diagRow(runId, documentId, d));
    for (const { e, outcome, itemId, rule, similarity } of decided) {
      outcomes.push(outcome);
      if (outcome === 'new') counts.entriesNew++;
      else if (outcome === 'updated') counts.entriesUpdated++;
      else if (outcome === 'unchanged') counts.entriesUnchanged++;
      else if (outcome === 'duplicate') counts.entriesDuplicate++;
      else counts.entriesRejected++;
      const raw = outcome === 'rejected' ? `${e.title}\n\n${e.body}` : null;
      for (const d of e.diagnostics) diags.push(diagRow(runId, documentId, d, d.severity === 'error' ? raw : null));
      if (outcome === 'rejected' || itemId == null) continue;
      const { titleKey: _t, bands: _b, ...values } = entryValues(e);
      occ.push({
        run_id: runId, document_id: documentId, entry_id: itemId, n: e.n, title_line: e.titleLine, end_line: e.endLine,
        title: e.title, content_hash: e.contentHash, outcome, key: e.key, values, match_rule: rule, similarity, duplicate_of: e.duplicateOf,
      });
    }
    for (const part of chunks(occ, 2000)) await insertJson(tx, 'occurrences', OCCURRENCE_COLUMNS, part, sql`on conflict (document_id, n) do nothing`);
    lap('occurrences');
    for (const part of chunks(diags, 2000)) {
      await insertJson(tx, 'diagnostics', DIAGNOSTIC_COLUMNS, part.map((d) => ({
        run_id: d.runId, document_id: d.documentId, file: d.file, n: d.n, line: d.line, code: d.code, severity: d.severity,
        message: d.message, excerpt: d.excerpt, data: d.data, raw: d.raw,
      })));
    }
    await tx.update(documents).set({ parseMs: opts.parseMs ?? null, loadMs: Date.now() - started }).where(eq(documents.id, documentId));
    await addToRun(tx, runId, counts);
    lap('diagnostics');
    return { counts, outcomes, documentId, alreadyLoaded: false };
  });
  lap('commit');
  return result;
}

const ENTRY_COLUMNS: Record<string, string> = {
  key: 'text', title_key: 'text', bands: 'bigint[]', title: 'text', body: 'text', source: 'text', country: 'text', date: 'text',
  date_precision: 'text', date_flag: 'text', doi: 'text', pmid: 'text', pmcid: 'text', language: 'text', content_hash: 'text',
  provenance: 'jsonb', issues: 'jsonb', first_run_id: 'int', last_run_id: 'int',
};
const OCCURRENCE_COLUMNS: Record<string, string> = {
  run_id: 'int', document_id: 'int', entry_id: 'int', n: 'int', title_line: 'int', end_line: 'int', title: 'text', content_hash: 'text',
  outcome: 'text', key: 'text', values: 'jsonb', match_rule: 'text', similarity: 'real', duplicate_of: 'text',
};
const DIAGNOSTIC_COLUMNS: Record<string, string> = {
  run_id: 'int', document_id: 'int', file: 'text', n: 'int', line: 'int', code: 'text', severity: 'text', message: 'text',
  excerpt: 'text', data: 'jsonb', raw: 'text',
};

/** An entries row (snake_case) for insertJson. */
function entryRow(e: DedupedEntry, runId: number): Record<string, unknown> {
  const v = entryValues(e);
  return {
    key: e.itemKey, title_key: v.titleKey, bands: v.bands, title: v.title, body: v.body, source: v.source, country: v.country,
    date: v.date, date_precision: v.datePrecision, date_flag: v.dateFlag, doi: v.doi, pmid: v.pmid, pmcid: v.pmcid,
    language: v.language, content_hash: v.contentHash, provenance: v.provenance, issues: v.issues, first_run_id: runId, last_run_id: runId,
  };
}
