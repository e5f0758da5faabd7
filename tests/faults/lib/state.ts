import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../../src/db/client.ts';

/**
 * The end state of a database as natural keys and values, without ids, run ids or timestamps:
 * two databases that loaded the same pages must have equal states, whatever crashed on the way.
 *
 * Not compared, on purpose: an occurrence's `outcome` and the per-run counts describe a run,
 * not the end state (an entry first seen by a run that was killed is `unchanged` for the run
 * that finishes the work, `duplicate` or `new` in an uninterrupted run).
 */
export interface DbState {
  items: Record<string, unknown>[];
  keys: Record<string, unknown>[];
  documents: Record<string, unknown>[];
  occurrences: Record<string, unknown>[];
  versions: Record<string, unknown>[];
  diagnostics: Record<string, unknown>[];
}

async function q(db: Db, query: ReturnType<typeof sql>): Promise<Record<string, unknown>[]> {
  return rowsOf<Record<string, unknown>>(await db.execute(query));
}

/** Entry columns that identify a run or a moment, not content. */
const VOLATILE = new Set(['id', 'firstRunId', 'lastRunId', 'createdAt', 'updatedAt', 'first_run_id', 'last_run_id', 'created_at', 'updated_at', 'mergedIntoId', 'merged_into_id']);

function stripVolatile(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([k]) => !VOLATILE.has(k)).sort(([a], [b]) => a.localeCompare(b)));
}

const byJson = (a: unknown, b: unknown) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * Reads the state (sorted, so equal databases give equal values). `orderFree`: leave out what
 * depends on which of two concurrent loaders saw an item first (an occurrence's match rule and
 * similarity: the first page to load an item creates it, the others match it by key).
 */
export async function snapshot(db: Db, opts: { orderFree?: boolean } = {}): Promise<DbState> {
  const items = await q(db, sql`
    select e.key, e.title_key, e.bands::text as bands, e.title, e.body, e.source, e.country, e.date, e.date_precision, e.date_flag,
      e.doi, e.pmid, e.pmcid, e.language, e.content_hash, e.provenance, e.issues, e.in_latest, m.key as merged_into
    from entries e left join entries m on m.id = e.merged_into_id order by e.key`);
  const keys = await q(db, sql`
    select k.key, e.key as item, k.rule, k.similarity from entry_keys k join entries e on e.id = k.entry_id order by k.key`);
  const documents = await q(db, sql`
    select path, sha256, format, encoding, bytes, status, latest, entry_count from documents order by path, sha256`);
  const occurrences = await q(db, sql`
    select d.path, d.sha256, o.n, e.key as item, o.key, o.title, o.title_line, o.end_line, o.content_hash, o.values,
      o.match_rule, o.similarity, o.duplicate_of
    from occurrences o join documents d on d.id = o.document_id join entries e on e.id = o.entry_id
    order by d.path, d.sha256, o.n`);
  if (opts.orderFree) {
    for (const o of occurrences) {
      delete o.match_rule;
      delete o.similarity;
    }
  }
  const versions = (await q(db, sql`
    select e.key as item, v.content_hash, v.values from entry_versions v join entries e on e.id = v.entry_id`))
    .map((v) => ({ ...v, values: stripVolatile(v.values) }))
    .sort(byJson);
  const diagnostics = await q(db, sql`
    select distinct file, n, line, code, severity, message, excerpt from diagnostics order by file, n, line, code, message`);
  return { items, keys, documents, occurrences, versions, diagnostics };
}

/**
 * The differences between two states, as readable lines (at most `max`): rows only in one of
 * them, per table, identified by their natural key.
 */
export function diffStates(want: DbState, got: DbState, max = 15): string[] {
  const out: string[] = [];
  const keyOf: Record<keyof DbState, (r: Record<string, unknown>) => string> = {
    items: (r) => String(r.key),
    keys: (r) => String(r.key),
    documents: (r) => `${r.path}@${String(r.sha256).slice(0, 8)}`,
    occurrences: (r) => `${r.path}@${String(r.sha256).slice(0, 8)}#${r.n}`,
    versions: (r) => `${r.item}@${String(r.content_hash).slice(0, 8)}`,
    diagnostics: (r) => `${r.file}#${r.n ?? '-'}:${r.line ?? '-'} ${r.code}`,
  };
  for (const table of Object.keys(keyOf) as (keyof DbState)[]) {
    const a = new Map<string, string[]>();
    for (const r of want[table]) (a.get(JSON.stringify(r)) ?? a.set(JSON.stringify(r), []).get(JSON.stringify(r))!).push(keyOf[table](r));
    const b = new Map<string, string[]>();
    for (const r of got[table]) (b.get(JSON.stringify(r)) ?? b.set(JSON.stringify(r), []).get(JSON.stringify(r))!).push(keyOf[table](r));
    for (const [json, ids] of a) {
      const n = b.get(json)?.length ?? 0;
      if (n < ids.length) out.push(`${table}: missing ${ids.length - n}x ${ids[0]} ${json.slice(0, 300)}`);
    }
    for (const [json, ids] of b) {
      const n = a.get(json)?.length ?? 0;
      if (n < ids.length) out.push(`${table}: extra ${ids.length - n}x ${ids[0]} ${json.slice(0, 300)}`);
    }
    if (want[table].length !== got[table].length) out.push(`${table}: ${got[table].length} rows, want ${want[table].length}`);
  }
  return out.length > max ? [...out.slice(0, max), `… and ${out.length - max} more differences`] : out;
}

/** Rows of the runs table, for the run-level assertions. */
export async function runRows(db: Db): Promise<Array<{ id: number; status: string; entries_read: number; sum: number; files_read: number; error: string | null }>> {
  return rowsOf(await db.execute(sql`
    select id, status, entries_read, entries_new + entries_updated + entries_unchanged + entries_duplicate + entries_rejected as sum,
      files_read, error from runs order by id`));
}
