import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { diagnostics as diagnosticsT, documents, entries as entriesT, entryVersions, occurrences, runs } from '../db/schema.ts';
import { isRejected } from '../quality/quality.ts';
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

/** A loaded version of this path with this content, if any. */
export async function findLoadedDocument(db: Db, path: string, sha256: string): Promise<{ id: number; entryCount: number } | null> {
  const [row] = await db
    .select({ id: documents.id, entryCount: documents.entryCount })
    .from(documents)
    .where(and(eq(documents.path, path), eq(documents.sha256, sha256), eq(documents.status, 'loaded')))
    .limit(1);
  return row ?? null;
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

function entryValues(e: DedupedEntry) {
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
  };
}

/**
 * Loads one parsed document in one transaction: the document row, new and changed items
 * (upsert on the natural key), an occurrence per entry, diagnostics, and the run's counts.
 * Re-loading the same version is a no-op; a kill before COMMIT leaves nothing behind.
 */
export async function loadDocument(
  db: Db,
  runId: number,
  doc: RawDocument,
  list: readonly DedupedEntry[],
  docDiagnostics: readonly Diagnostic[],
): Promise<LoadResult> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await lockPath(tx, doc.path);
    const [inserted] = await tx
      .insert(documents)
      .values({ path: doc.path, sha256: doc.sha256, format: doc.format, encoding: doc.encoding, bytes: doc.bytes, status: 'loaded', entryCount: list.length, firstRunId: runId, lastRunId: runId })
      .onConflictDoNothing({ target: [documents.path, documents.sha256] })
      .returning({ id: documents.id });
    if (!inserted) {
      // Another loader committed this version first (or a rejected version is being retried).
      const existing = await findLoadedDocument(tx, doc.path, doc.sha256);
      if (existing) {
        const c = { ...zeroCounts(), filesRead: 1, filesUnchanged: 1, entriesRead: existing.entryCount, entriesUnchanged: existing.entryCount };
        await tx.update(documents).set({ lastRunId: runId }).where(eq(documents.id, existing.id));
        await addToRun(tx, runId, c);
        return { counts: c, outcomes: [], documentId: existing.id, alreadyLoaded: true };
      }
    }
    const documentId = inserted
      ? inserted.id
      : (
          await tx
            .update(documents)
            .set({ status: 'loaded', format: doc.format, encoding: doc.encoding, entryCount: list.length, lastRunId: runId })
            .where(and(eq(documents.path, doc.path), eq(documents.sha256, doc.sha256)))
            .returning({ id: documents.id })
        )[0]!.id;

    const counts = { ...zeroCounts(), filesRead: 1, entriesRead: list.length };
    const outcomes: Outcome[] = [];
    const accepted = list.filter((e) => !isRejected(e));

    // Existing items for every key this document touches.
    const keys = [...new Set(accepted.map((e) => e.itemKey))];
    const existing = new Map<string, { id: number; contentHash: string; lastRunId: number }>();
    for (const part of chunks(keys)) {
      const rows = await tx
        .select({ id: entriesT.id, key: entriesT.key, contentHash: entriesT.contentHash, lastRunId: entriesT.lastRunId })
        .from(entriesT)
        .where(inArray(entriesT.key, part));
      for (const r of rows) existing.set(r.key, r);
    }

    // Decide each entry's outcome; the first entry of a new key creates the item.
    const toInsert = new Map<string, DedupedEntry>();
    const toUpdate = new Map<number, DedupedEntry>();
    const decided: Array<{ e: DedupedEntry; outcome: Outcome }> = [];
    for (const e of list) {
      if (isRejected(e)) {
        decided.push({ e, outcome: 'rejected' });
        continue;
      }
      const found = existing.get(e.itemKey);
      let outcome: Outcome;
      if (e.duplicateOf || toInsert.has(e.itemKey)) outcome = 'duplicate';
      else if (!found) {
        outcome = 'new';
        toInsert.set(e.itemKey, e);
      } else if (found.lastRunId === runId) outcome = 'duplicate';
      else if (found.contentHash === e.contentHash) outcome = 'unchanged';
      else {
        outcome = 'updated';
        toUpdate.set(found.id, e);
      }
      decided.push({ e, outcome });
    }

    const ids = new Map<string, number>();
    for (const [k, v] of existing) ids.set(k, v.id);
    for (const part of chunks([...toInsert.values()])) {
      const rows = await tx
        .insert(entriesT)
        .values(part.map((e) => ({ key: e.itemKey, ...entryValues(e), firstRunId: runId, lastRunId: runId })))
        .onConflictDoNothing({ target: entriesT.key })
        .returning({ id: entriesT.id, key: entriesT.key });
      for (const r of rows) ids.set(r.key, r.id);
    }
    // Keys another loader inserted between our select and insert.
    const missing = [...toInsert.keys()].filter((k) => !ids.has(k));
    if (missing.length) {
      const rows = await tx.select({ id: entriesT.id, key: entriesT.key }).from(entriesT).where(inArray(entriesT.key, missing));
      for (const r of rows) ids.set(r.key, r.id);
    }

    for (const [id, e] of toUpdate) {
      const [old] = await tx.select().from(entriesT).where(eq(entriesT.id, id));
      if (old) {
        const { id: _id, ...values } = old;
        await tx.insert(entryVersions).values({ entryId: id, runId, contentHash: old.contentHash, values: values as unknown as Record<string, unknown> });
      }
      await tx.update(entriesT).set({ ...entryValues(e), lastRunId: runId, updatedAt: sql`now()`, inLatest: true }).where(eq(entriesT.id, id));
    }
    const touched = decided.filter((d) => d.outcome === 'unchanged' || d.outcome === 'duplicate').map((d) => ids.get(d.e.itemKey)).filter((x): x is number => x != null);
    for (const part of chunks([...new Set(touched)])) {
      await tx.update(entriesT).set({ lastRunId: runId }).where(inArray(entriesT.id, part));
    }

    const occ = [];
    const diags = docDiagnostics.map((d) => diagRow(runId, documentId, d));
    for (const { e, outcome } of decided) {
      outcomes.push(outcome);
      if (outcome === 'new') counts.entriesNew++;
      else if (outcome === 'updated') counts.entriesUpdated++;
      else if (outcome === 'unchanged') counts.entriesUnchanged++;
      else if (outcome === 'duplicate') counts.entriesDuplicate++;
      else counts.entriesRejected++;
      const raw = outcome === 'rejected' ? `${e.title}\n\n${e.body}` : null;
      for (const d of e.diagnostics) diags.push(diagRow(runId, documentId, d, d.severity === 'error' ? raw : null));
      if (outcome === 'rejected') continue;
      const entryId = ids.get(e.itemKey);
      if (entryId == null) throw new Error(`internal: no item id for key ${e.itemKey} (${e.file}#${e.n})`);
      occ.push({
        runId,
        documentId,
        entryId,
        n: e.n,
        titleLine: e.titleLine,
        endLine: e.endLine,
        title: e.title,
        contentHash: e.contentHash,
        outcome,
        matchRule: e.match?.rule ?? null,
        similarity: e.match?.similarity ?? null,
        duplicateOf: e.duplicateOf,
      });
    }
    for (const part of chunks(occ)) await tx.insert(occurrences).values(part).onConflictDoNothing();
    for (const part of chunks(diags)) await tx.insert(diagnosticsT).values(part);
    await addToRun(tx, runId, counts);
    return { counts, outcomes, documentId, alreadyLoaded: false };
  });
}
