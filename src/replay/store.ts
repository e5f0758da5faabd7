import { and, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { diagnostics, entries, entryKeys, occurrences, runs } from '../db/schema.ts';
import { entryValues, findItem, lookupKeys } from '../load/load.ts';
import type { DedupedEntry, Diagnostic, RunCounts } from '../types.ts';

/**
 * The database side of `digest replay`. Quarantined entries are the `diagnostics` rows of
 * severity `error` that carry the entry's raw text; a replay records its outcome on those rows
 * as `data.replay` ({ status: recovered | rejected, runId, itemId, code, attempts }), so a
 * recovered entry is never replayed again. No table of its own.
 */

/** A quarantined (rejected) entry or document, as stored. */
export interface QuarantineRow {
  /** ids of the error diagnostics rows of this entry (one entry may have several reasons). */
  ids: number[];
  runId: number;
  documentId: number | null;
  file: string;
  /** null for a rejected document. */
  n: number | null;
  line: number | null;
  codes: string[];
  message: string;
  raw: string | null;
  /** Whether the document version is still the latest of its path. */
  latest: boolean | null;
  /** A later version of the path was loaded (a rejected document is then resolved). */
  reloaded: boolean;
  attempts: number;
}

/**
 * Every rejection not yet recovered, oldest first, grouped per entry (document + position) or
 * per rejected document. `reason` keeps only those with that code among their reasons.
 */
export async function findQuarantined(db: Db, reason: string | null): Promise<QuarantineRow[]> {
  const rows = rowsOf<{
    id: number;
    run_id: number;
    document_id: number | null;
    file: string;
    n: number | null;
    line: number | null;
    code: string;
    message: string;
    raw: string | null;
    latest: boolean | null;
    reloaded: boolean;
    attempts: number | string | null;
  }>(
    await db.execute(sql`
      select d.id, d.run_id, d.document_id, d.file, d.n, d.line, d.code, d.message, d.raw, doc.latest,
             exists (select 1 from documents l where l.path = d.file and l.status = 'loaded' and l.latest) as reloaded,
             coalesce((d.data->'replay'->>'attempts')::int, 0) as attempts
      from diagnostics d left join documents doc on doc.id = d.document_id
      where d.severity = 'error' and (d.data->'replay'->>'status') is distinct from 'recovered'
      order by d.id`),
  );
  const groups = new Map<string, QuarantineRow>();
  for (const r of rows) {
    const k = r.n != null && r.document_id != null ? `e:${r.document_id}:${r.n}` : `d:${r.file}`;
    const g = groups.get(k);
    if (g) {
      g.ids.push(r.id);
      if (!g.codes.includes(r.code)) g.codes.push(r.code);
      g.raw ??= r.raw;
      if (r.n == null) {
        // A document rejected again: keep the newest reason.
        g.runId = r.run_id;
        g.message = r.message;
        g.documentId = r.document_id;
      }
      continue;
    }
    groups.set(k, {
      ids: [r.id],
      runId: r.run_id,
      documentId: r.document_id,
      file: r.file,
      n: r.n,
      line: r.line,
      codes: [r.code],
      message: r.message,
      raw: r.raw,
      latest: r.latest,
      reloaded: Boolean(r.reloaded),
      attempts: Number(r.attempts ?? 0),
    });
  }
  const all = [...groups.values()];
  return reason ? all.filter((g) => g.codes.includes(reason)) : all;
}

/** Records a replay attempt on the entry's error rows (still rejected, and why). */
export async function markStillRejected(db: Db, q: QuarantineRow, runId: number, reason: Diagnostic): Promise<void> {
  const replay = { status: 'rejected', runId, code: reason.code, message: reason.message, attempts: q.attempts + 1 };
  await db.transaction(async (tx) => {
    await tx.execute(sql`update diagnostics set data = coalesce(data, '{}'::jsonb) || jsonb_build_object('replay', ${JSON.stringify(replay)}::jsonb) where id in (${sql.join(q.ids.map((i) => sql`${i}`), sql`, `)})`);
    await addToRun(tx as unknown as Db, runId, { entriesRead: 1, entriesRejected: 1 });
  });
}

async function addToRun(tx: Db, runId: number, c: Partial<RunCounts>): Promise<void> {
  await tx
    .update(runs)
    .set({
      entriesRead: sql`${runs.entriesRead} + ${c.entriesRead ?? 0}`,
      entriesNew: sql`${runs.entriesNew} + ${c.entriesNew ?? 0}`,
      entriesUnchanged: sql`${runs.entriesUnchanged} + ${c.entriesUnchanged ?? 0}`,
      entriesDuplicate: sql`${runs.entriesDuplicate} + ${c.entriesDuplicate ?? 0}`,
      entriesRejected: sql`${runs.entriesRejected} + ${c.entriesRejected ?? 0}`,
    })
    .where(eq(runs.id, runId));
}

async function addKey(tx: Db, key: string, entryId: number, rule: string, similarity: number | null, runId: number): Promise<void> {
  await tx.insert(entryKeys).values({ key, entryId, rule, similarity, runId }).onConflictDoNothing({ target: entryKeys.key });
}

/** What loading a recovered entry did. */
export interface Recovered {
  itemId: number;
  /** `new`: it is an item of its own; `duplicate`: it joined an item already loaded; `already`: a row was there. */
  outcome: 'new' | 'duplicate' | 'already';
  rule: string | null;
  similarity: number | null;
}

/**
 * Loads a recovered entry into its original document version (same position `n`), in one
 * transaction with the mark on its quarantine rows and the replay run's counts: its item (new,
 * or the item it matches by key or near-duplicate), its key, an occurrence in the replay run,
 * and its remaining (non-error) diagnostics.
 */
export async function loadRecovered(db: Db, runId: number, q: QuarantineRow, e: DedupedEntry, opts: { nearThreshold: number; noFuzzy: ReadonlySet<string> }): Promise<Recovered> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${q.file}, 0))`);
    const documentId = q.documentId!;
    let result: Recovered;
    const [existing] = await tx.select({ entryId: occurrences.entryId }).from(occurrences).where(and(eq(occurrences.documentId, documentId), eq(occurrences.n, e.n)));
    if (existing) {
      result = { itemId: existing.entryId, outcome: 'already', rule: null, similarity: null };
    } else {
      const byKey = await lookupKeys(tx, [e.itemKey, e.key]);
      const m = await findItem(tx, e, byKey, opts);
      const { titleKey: _t, bands: _b, ...values } = entryValues(e);
      if (!m) {
        const [item] = await tx.insert(entries).values({ key: e.itemKey, ...entryValues(e), firstRunId: runId, lastRunId: runId }).returning({ id: entries.id });
        await addKey(tx, e.itemKey, item!.id, 'first', null, runId);
        if (e.key !== e.itemKey) await addKey(tx, e.key, item!.id, 'exact-key', 1, runId);
        result = { itemId: item!.id, outcome: 'new', rule: null, similarity: null };
      } else {
        if (m.rule !== 'exact-key' || !byKey.has(e.key)) await addKey(tx, e.key, m.id, m.rule, m.similarity, runId);
        await tx.update(entries).set({ lastRunId: runId, inLatest: true }).where(eq(entries.id, m.id));
        result = { itemId: m.id, outcome: 'duplicate', rule: m.rule, similarity: m.similarity };
      }
      await tx.insert(occurrences).values({
        runId,
        documentId,
        entryId: result.itemId,
        n: e.n,
        titleLine: e.titleLine,
        endLine: e.endLine,
        title: e.title,
        contentHash: e.contentHash,
        outcome: result.outcome,
        key: e.key,
        values: values as Record<string, unknown>,
        matchRule: result.rule,
        similarity: result.similarity,
        duplicateOf: null,
      });
      const notes = e.diagnostics.filter((d) => d.severity !== 'error');
      if (notes.length) {
        await tx.insert(diagnostics).values(
          notes.map((d) => ({ runId, documentId, file: d.file, n: d.n, line: d.line, code: d.code, severity: d.severity, message: d.message, excerpt: d.excerpt ?? null, data: d.data ?? null, raw: null })),
        );
      }
    }
    const replay = { status: 'recovered', runId, itemId: result.itemId, outcome: result.outcome, attempts: q.attempts + 1 };
    await tx.execute(sql`update diagnostics set data = coalesce(data, '{}'::jsonb) || jsonb_build_object('replay', ${JSON.stringify(replay)}::jsonb) where id in (${sql.join(q.ids.map((i) => sql`${i}`), sql`, `)})`);
    await addToRun(tx, runId, { entriesRead: 1, entriesNew: result.outcome === 'new' ? 1 : 0, entriesDuplicate: result.outcome === 'duplicate' ? 1 : 0, entriesUnchanged: result.outcome === 'already' ? 1 : 0 });
    return result;
  });
}
