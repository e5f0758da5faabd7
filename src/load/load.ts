import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { fingerprint, nearSimilarity } from '../dedupe/similarity.ts';
import type { Db } from '../db/client.ts';
import { diagnostics as diagnosticsT, documents, entries as entriesT, entryKeys, entryVersions, occurrences, runs } from '../db/schema.ts';
import { isRejected } from '../quality/quality.ts';
import type { DedupedEntry, Diagnostic, RawDocument, RejectedDocument, RunCounts } from '../types.ts';

/** Near-duplicate candidates compared exactly per entry (those sharing the most LSH buckets). */
const MAX_CANDIDATES = 20;

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

/**
 * Marks runs left `running` by a killed process as `abandoned`. Only safe where no other
 * process can be running (the embedded database, which is locked to one process).
 */
export async function abandonStaleRuns(db: Db, exceptRunId: number): Promise<number> {
  const rows = await db
    .update(runs)
    .set({ status: 'abandoned', finishedAt: sql`now()`, error: 'the process ended before the run finished' })
    .where(and(eq(runs.status, 'running'), sql`${runs.id} <> ${exceptRunId}`))
    .returning({ id: runs.id });
  return rows.length;
}

/** Closes a run with its final status. */
export async function finishRun(db: Db, runId: number, status: 'finished' | 'failed', error: string | null = null): Promise<void> {
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
    await tx.execute(sql`
      with since as (select coalesce(max(id), 0) as id from runs where status = 'finished' and id < ${runId}),
      paths as (select distinct path from documents, since where documents.last_run_id > since.id),
      affected as (
        select distinct o.entry_id from occurrences o join documents d on d.id = o.document_id
        where d.path in (select path from paths)
      )
      update entries e set in_latest = exists (
        select 1 from occurrences o join documents d on d.id = o.document_id where o.entry_id = e.id and d.latest
      )
      where e.id in (select entry_id from affected)`);
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

/** The items known under any of these natural keys (one indexed query per 500 keys). */
export async function lookupKeys(tx: Db, keyList: readonly string[]): Promise<Map<string, ItemRow>> {
  const byKey = new Map<string, ItemRow>();
  for (const part of chunks([...new Set(keyList)])) {
    const rows = await tx
      .select({ key: entryKeys.key, id: entriesT.id, contentHash: entriesT.contentHash, lastRunId: entriesT.lastRunId })
      .from(entryKeys)
      .innerJoin(entriesT, eq(entriesT.id, entryKeys.entryId))
      .where(inArray(entryKeys.key, part));
    for (const r of rows) byKey.set(r.key, { id: r.id, contentHash: r.contentHash, lastRunId: r.lastRunId });
  }
  return byKey;
}

/**
 * Finds the loaded item an entry belongs to: by any of its natural keys (entry_keys), then, for
 * a bare title line, by its folded title, then by near-duplicate similarity among the items
 * sharing an LSH bucket (GIN index on entries.bands: the cost does not grow with the table).
 */
export async function findItem(tx: Db, e: DedupedEntry, byKey: Map<string, ItemRow>, opts: LoadOptions): Promise<ItemMatch | null> {
  const exact = byKey.get(e.itemKey) ?? byKey.get(e.key);
  if (exact) return { ...exact, rule: 'exact-key', similarity: 1 };
  if (opts.noFuzzy.has(e.key)) return null;
  if (e.titleOnly) {
    if (!e.titleKey) return null;
    const [row] = await tx
      .select({ id: entriesT.id, contentHash: entriesT.contentHash, lastRunId: entriesT.lastRunId })
      .from(entriesT)
      .where(and(eq(entriesT.titleKey, e.titleKey), isNull(entriesT.mergedIntoId)))
      .orderBy(desc(entriesT.id))
      .limit(1);
    return row ? { ...row, rule: 'repeated-title', similarity: 1 } : null;
  }
  // Candidates share at least one LSH bucket (GIN index); the ones sharing most come first.
  const bands = sql.raw(`'{${e.bands.join(',')}}'::bigint[]`);
  const candidates = await tx
    .select({ id: entriesT.id, contentHash: entriesT.contentHash, lastRunId: entriesT.lastRunId, title: entriesT.title, body: entriesT.body, date: entriesT.date, language: entriesT.language })
    .from(entriesT)
    .where(and(sql`${entriesT.bands} && ${bands}`, isNull(entriesT.mergedIntoId)))
    .orderBy(sql`(select count(*) from unnest(${entriesT.bands}) b where b = any(${bands})) desc`)
    .limit(MAX_CANDIDATES);
  if (!candidates.length) return null;
  const fp = fingerprint(e, false);
  let best: ItemMatch | null = null;
  for (const c of candidates) {
    const sim = nearSimilarity(fp, fingerprint(c, false));
    if (sim != null && sim >= opts.nearThreshold && (!best || sim > best.similarity)) {
      best = { id: c.id, contentHash: c.contentHash, lastRunId: c.lastRunId, rule: 'near-duplicate', similarity: Math.round(sim * 1000) / 1000 };
    }
  }
  return best;
}

/**
 * Loads one parsed document in one transaction: the document version (made the latest of its
 * path), new and changed items, key aliases, an occurrence per entry, diagnostics, and the
 * run's counts. Outcomes: `new` (a new item), `updated` (an item this path carried before,
 * with new values; the old ones go to entry_versions), `unchanged` (same values), `duplicate`
 * (merged into an item seen earlier in this run, or carried by another page with other text),
 * `rejected` (an error diagnostic; stored with its raw text). Re-loading the same version is a
 * no-op; a kill before COMMIT leaves nothing behind.
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
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await lockPath(tx, doc.path);
    const latest = await findLatestDocument(tx, doc.path);
    if (latest && latest.sha256 === doc.sha256 && latest.status === 'loaded') {
      // Another loader committed this version first.
      const c = { ...zeroCounts(), filesRead: 1, filesUnchanged: 1, entriesRead: latest.entryCount, entriesUnchanged: latest.entryCount };
      await tx.update(documents).set({ lastRunId: runId }).where(eq(documents.id, latest.id));
      await addToRun(tx, runId, c);
      return { counts: c, outcomes: [], documentId: latest.id, alreadyLoaded: true };
    }
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
    const accepted = list.filter((e) => !isRejected(e));

    // Items already known under any key this document's entries carry.
    const byKey = await lookupKeys(tx, accepted.flatMap((e) => [e.itemKey, e.key]));
    // Items this path carried in earlier versions (their changes are updates).
    const carried = new Set<number>();
    const carriedRows = await tx
      .selectDistinct({ id: occurrences.entryId })
      .from(occurrences)
      .innerJoin(documents, eq(documents.id, occurrences.documentId))
      .where(and(eq(documents.path, doc.path), sql`${documents.id} <> ${documentId}`));
    for (const r of carriedRows) carried.add(r.id);

    const itemOf = new Map<string, number>(); // itemKey -> item id, for this document
    const decided: Array<{ e: DedupedEntry; outcome: Outcome; itemId: number | null; rule: string | null; similarity: number | null }> = [];
    for (const e of list) {
      if (isRejected(e)) {
        decided.push({ e, outcome: 'rejected', itemId: null, rule: null, similarity: null });
        continue;
      }
      const known = itemOf.get(e.itemKey);
      if (known != null) {
        // Merged within this document by the dedupe stage.
        decided.push({ e, outcome: 'duplicate', itemId: known, rule: e.match?.rule ?? 'exact-key', similarity: e.match?.similarity ?? 1 });
        if (!byKey.has(e.key)) await addKey(tx, e.key, known, e.match?.rule ?? 'exact-key', e.match?.similarity ?? 1, runId);
        continue;
      }
      const m = await findItem(tx, e, byKey, opts);
      if (!m) {
        const [item] = await tx
          .insert(entriesT)
          .values({ key: e.itemKey, ...entryValues(e), firstRunId: runId, lastRunId: runId })
          .returning({ id: entriesT.id });
        await addKey(tx, e.itemKey, item!.id, 'first', null, runId);
        if (e.key !== e.itemKey) await addKey(tx, e.key, item!.id, e.match?.rule ?? 'exact-key', e.match?.similarity ?? 1, runId);
        itemOf.set(e.itemKey, item!.id);
        byKey.set(e.itemKey, { id: item!.id, contentHash: e.contentHash, lastRunId: runId });
        decided.push({ e, outcome: e.duplicateOf ? 'duplicate' : 'new', itemId: item!.id, rule: e.match?.rule ?? null, similarity: e.match?.similarity ?? null });
        continue;
      }
      itemOf.set(e.itemKey, m.id);
      if (m.rule !== 'exact-key' || !byKey.has(e.key)) await addKey(tx, e.key, m.id, m.rule, m.similarity, runId);
      let outcome: Outcome;
      if (e.duplicateOf || m.lastRunId === runId) outcome = 'duplicate';
      else if (m.contentHash === e.contentHash) outcome = 'unchanged';
      else if (carried.has(m.id)) outcome = 'updated';
      else outcome = 'duplicate';
      if (outcome === 'updated') {
        const [old] = await tx.select().from(entriesT).where(eq(entriesT.id, m.id));
        if (old) {
          const { id: _id, ...values } = old;
          await tx.insert(entryVersions).values({ entryId: m.id, runId, contentHash: old.contentHash, values: values as unknown as Record<string, unknown> });
        }
        await tx.update(entriesT).set({ ...entryValues(e), lastRunId: runId, updatedAt: sql`now()`, inLatest: true }).where(eq(entriesT.id, m.id));
      } else {
        await tx.update(entriesT).set({ lastRunId: runId, inLatest: true }).where(eq(entriesT.id, m.id));
      }
      byKey.set(e.key, { id: m.id, contentHash: outcome === 'updated' ? e.contentHash : m.contentHash, lastRunId: runId });
      decided.push({ e, outcome, itemId: m.id, rule: m.rule, similarity: m.similarity });
    }

    const occ = [];
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
        runId,
        documentId,
        entryId: itemId,
        n: e.n,
        titleLine: e.titleLine,
        endLine: e.endLine,
        title: e.title,
        contentHash: e.contentHash,
        outcome,
        key: e.key,
        values: values as Record<string, unknown>,
        matchRule: rule,
        similarity,
        duplicateOf: e.duplicateOf,
      });
    }
    for (const part of chunks(occ)) await tx.insert(occurrences).values(part).onConflictDoNothing();
    for (const part of chunks(diags)) await tx.insert(diagnosticsT).values(part);
    await tx.update(documents).set({ parseMs: opts.parseMs ?? null, loadMs: Date.now() - started }).where(eq(documents.id, documentId));
    await addToRun(tx, runId, counts);
    return { counts, outcomes, documentId, alreadyLoaded: false };
  });
}
