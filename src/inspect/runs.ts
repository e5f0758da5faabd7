import { desc, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { runs } from '../db/schema.ts';
import type { RunCounts } from '../types.ts';

/** A run as `digest runs` lists it. */
export interface RunRow {
  id: number;
  status: string;
  pipeline: string;
  paths: string[];
  startedAt: string;
  finishedAt: string | null;
  /** finished - started, or null while running. */
  durationMs: number | null;
  counts: RunCounts;
  error: string | null;
}

type RunRecord = typeof runs.$inferSelect;

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

function toRow(r: RunRecord): RunRow {
  const started = iso(r.startedAt)!;
  const finished = iso(r.finishedAt);
  return {
    id: r.id,
    status: r.status,
    pipeline: r.pipeline,
    paths: r.paths,
    startedAt: started,
    finishedAt: finished,
    durationMs: finished ? Date.parse(finished) - Date.parse(started) : null,
    counts: {
      filesRead: r.filesRead,
      filesRejected: r.filesRejected,
      filesUnchanged: r.filesUnchanged,
      entriesRead: r.entriesRead,
      entriesNew: r.entriesNew,
      entriesUpdated: r.entriesUpdated,
      entriesUnchanged: r.entriesUnchanged,
      entriesDuplicate: r.entriesDuplicate,
      entriesRejected: r.entriesRejected,
    },
    error: r.error,
  };
}

/** The most recent runs, newest first. */
export async function listRuns(db: Db, limit: number): Promise<RunRow[]> {
  const rows = await db.select().from(runs).orderBy(desc(runs.id)).limit(limit);
  return rows.map(toRow);
}

/** A document a run read. */
export interface RunDocument {
  id: number;
  path: string;
  sha256: string;
  /** loaded | rejected | unchanged (read in this run, loaded by an earlier one) */
  status: string;
  entries: number;
  parseMs: number | null;
  loadMs: number | null;
}

/** A run with its documents, issue counts and rejections. */
export interface RunDetail extends RunRow {
  documents: RunDocument[];
  issues: Record<string, number>;
  rejections: Array<{ file: string; n: number | null; line: number | null; code: string; message: string; replay: Record<string, unknown> | null }>;
  /** For a `digest replay` run: the quarantined entries it re-ran, and what became of them. */
  replayed: Array<{ file: string; n: number | null; code: string; status: string; itemId: number | null; now: string | null }>;
}

/**
 * One run in detail, or null when there is no such run. Documents are those the run loaded or
 * rejected, and those it found unchanged while it is still their latest run.
 */
export async function getRun(db: Db, id: number): Promise<RunDetail | null> {
  const [r] = await db.select().from(runs).where(eq(runs.id, id));
  if (!r) return null;
  const docs = rowsOf<{ id: number; path: string; sha256: string; status: string; entries: number; parseMs: number | null; loadMs: number | null }>(
    await db.execute(sql`
      select d.id, d.path, d.sha256,
             case when d.status = 'rejected' then 'rejected'
                  when d.first_run_id = ${id} or exists (select 1 from occurrences o where o.document_id = d.id and o.run_id = ${id}) then 'loaded'
                  else 'unchanged' end as status,
             d.entry_count as entries, d.parse_ms as "parseMs", d.load_ms as "loadMs"
      from documents d
      where d.first_run_id = ${id} or d.last_run_id = ${id}
         or exists (select 1 from occurrences o where o.document_id = d.id and o.run_id = ${id})
      order by d.path, d.id`),
  );
  const issues = rowsOf<{ code: string; n: number | string }>(
    await db.execute(sql`select code, count(*) as n from diagnostics where run_id = ${id} group by code order by count(*) desc, code`),
  );
  const rejections = rowsOf<{ file: string; n: number | null; line: number | null; code: string; message: string; replay: Record<string, unknown> | null }>(
    await db.execute(sql`
      select file, n, line, code, message, data->'replay' as replay from diagnostics
      where run_id = ${id} and severity = 'error' order by file, n nulls first, id`),
  );
  const replayed = rowsOf<{ file: string; n: number | null; code: string; status: string; itemId: number | string | null; now: string | null }>(
    await db.execute(sql`
      select file, n, code, data->'replay'->>'status' as status, (data->'replay'->>'itemId') as "itemId", data->'replay'->>'code' as now
      from diagnostics where data->'replay'->>'runId' = ${String(id)} order by file, n, id`),
  );
  return {
    ...toRow(r),
    documents: docs.map((d) => ({ ...d, entries: Number(d.entries) })),
    issues: Object.fromEntries(issues.map((i) => [i.code, Number(i.n)])),
    rejections,
    replayed: replayed.map((x) => ({ ...x, itemId: x.itemId == null ? null : Number(x.itemId) })),
  };
}
