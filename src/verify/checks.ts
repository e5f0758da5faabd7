import { sql, type SQL } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { queueRunsInProgress } from '../queue/runs.ts';

/**
 * The database invariants `digest verify` checks. Each check is one function of the database
 * that returns the problems it found as sentences a person can act on (empty: the invariant
 * holds). Checks only read; they never repair.
 */

/** One broken invariant, found by the check named `check`. */
export interface Problem {
  check: string;
  message: string;
}

/** A named check of the database. */
export interface Check {
  /** Stable id, e.g. `run-accounting`. */
  name: string;
  /** What must hold, in one sentence. */
  invariant: string;
  run(db: Db): Promise<Problem[]>;
}

/** Most problems listed per check (the count of the rest is given). */
export const MAX_PROBLEMS_PER_CHECK = 20;

async function rows<T>(db: Db, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

function capped(check: string, found: string[], total = found.length): Problem[] {
  const out = found.slice(0, MAX_PROBLEMS_PER_CHECK).map((message) => ({ check, message }));
  if (total > out.length) out.push({ check, message: `… and ${total - out.length} more` });
  return out;
}

/**
 * Accounting identity per run: entries_read = new + updated + unchanged + duplicate + rejected,
 * no negative count, and files_read >= files_unchanged + files_rejected. The rejections are
 * recorded: a run's files_rejected equals its document-level error diagnostics, and its
 * entries_rejected equals the entries (document, n) with an error diagnostic.
 */
export async function checkRunAccounting(db: Db): Promise<Problem[]> {
  const name = 'run-accounting';
  const found = await rows<{
    id: number; status: string; files_read: number; files_rejected: number; files_unchanged: number;
    entries_read: number; entries_new: number; entries_updated: number; entries_unchanged: number; entries_duplicate: number; entries_rejected: number;
    doc_errors: number; entry_errors: number;
  }>(db, sql`
    select r.id, r.status, r.files_read, r.files_rejected, r.files_unchanged, r.entries_read, r.entries_new,
      r.entries_updated, r.entries_unchanged, r.entries_duplicate, r.entries_rejected,
      (select count(*)::int from diagnostics d where d.run_id = r.id and d.n is null and d.severity = 'error') as doc_errors,
      (select count(*)::int from (select distinct d.document_id, d.file, d.n from diagnostics d
         where d.run_id = r.id and d.n is not null and d.severity = 'error') x) as entry_errors
    from runs r order by r.id`);
  const out: string[] = [];
  for (const r of found) {
    const sum = r.entries_new + r.entries_updated + r.entries_unchanged + r.entries_duplicate + r.entries_rejected;
    const counts = [r.files_read, r.files_rejected, r.files_unchanged, r.entries_read, r.entries_new, r.entries_updated, r.entries_unchanged, r.entries_duplicate, r.entries_rejected];
    if (counts.some((c) => c < 0)) out.push(`run ${r.id} (${r.status}) has a negative count.`);
    if (r.entries_read !== sum) {
      out.push(`run ${r.id} (${r.status}): entries_read ${r.entries_read} <> ${r.entries_new} new + ${r.entries_updated} updated + ${r.entries_unchanged} unchanged + ${r.entries_duplicate} duplicate + ${r.entries_rejected} rejected = ${sum}.`);
    }
    if (r.files_unchanged + r.files_rejected > r.files_read) {
      out.push(`run ${r.id} (${r.status}): files_read ${r.files_read} < ${r.files_unchanged} unchanged + ${r.files_rejected} rejected.`);
    }
    if (r.files_rejected !== r.doc_errors) {
      out.push(`run ${r.id} (${r.status}): files_rejected is ${r.files_rejected} but ${r.doc_errors} rejected file(s) have a reason recorded.`);
    }
    if (r.entries_rejected !== r.entry_errors) {
      out.push(`run ${r.id} (${r.status}): entries_rejected is ${r.entries_rejected} but ${r.entry_errors} rejected entr(ies) have a reason recorded.`);
    }
  }
  return capped(name, out);
}

/** Every occurrence points at an existing document, entry and run. */
export async function checkOccurrenceRefs(db: Db): Promise<Problem[]> {
  const found = await rows<{ id: number; document_id: number; entry_id: number; run_id: number; doc: number | null; entry: number | null; run: number | null }>(db, sql`
    select o.id, o.document_id, o.entry_id, o.run_id, d.id as doc, e.id as entry, r.id as run
    from occurrences o left join documents d on d.id = o.document_id left join entries e on e.id = o.entry_id left join runs r on r.id = o.run_id
    where d.id is null or e.id is null or r.id is null order by o.id limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  return capped('occurrence-refs', found.map((o) => {
    const missing = [o.doc == null ? `document ${o.document_id}` : null, o.entry == null ? `entry ${o.entry_id}` : null, o.run == null ? `run ${o.run_id}` : null].filter(Boolean);
    return `occurrence ${o.id} points at ${missing.join(' and ')}, which does not exist.`;
  }));
}

/** Occurrences are unique per (document version, entry position n). */
export async function checkOccurrencesUnique(db: Db): Promise<Problem[]> {
  const found = await rows<{ document_id: number; n: number; copies: number }>(db, sql`
    select document_id, n, count(*)::int as copies from occurrences group by document_id, n having count(*) > 1
    order by document_id, n limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  return capped('occurrences-unique', found.map((r) => `document ${r.document_id} has ${r.copies} occurrences at position ${r.n}.`));
}

/**
 * No two live (not merged) entries share a natural key, each live entry's own key resolves to
 * it in entry_keys, and every entry_keys row points at a live entry or at a merged one whose
 * merge target exists and is live.
 */
export async function checkEntryKeys(db: Db): Promise<Problem[]> {
  const dupes = await rows<{ key: string; ids: number[] }>(db, sql`
    select key, array_agg(id order by id) as ids from entries where merged_into_id is null group by key having count(*) > 1
    order by key limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  const unresolved = await rows<{ id: number; key: string; points_at: number | null }>(db, sql`
    select e.id, e.key, k.entry_id as points_at from entries e left join entry_keys k on k.key = e.key
    where e.merged_into_id is null and (k.entry_id is null or k.entry_id <> e.id) order by e.id limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  const dangling = await rows<{ key: string; entry_id: number; exists: boolean; merged_into_id: number | null; target_live: boolean | null }>(db, sql`
    select k.key, k.entry_id, e.id is not null as exists, e.merged_into_id,
      case when e.merged_into_id is null then null else (t.id is not null and t.merged_into_id is null) end as target_live
    from entry_keys k left join entries e on e.id = k.entry_id left join entries t on t.id = e.merged_into_id
    where e.id is null or (e.merged_into_id is not null and (t.id is null or t.merged_into_id is not null))
    order by k.key limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  const out = [
    ...dupes.map((d) => `live entries ${d.ids.join(', ')} share the natural key "${d.key}".`),
    ...unresolved.map((u) => (u.points_at == null
      ? `live entry ${u.id}'s key "${u.key}" has no entry_keys row.`
      : `live entry ${u.id}'s key "${u.key}" resolves to entry ${u.points_at} instead.`)),
    ...dangling.map((d) => (!d.exists
      ? `entry_keys "${d.key}" points at entry ${d.entry_id}, which does not exist.`
      : `entry_keys "${d.key}" points at entry ${d.entry_id}, merged into ${d.merged_into_id}, which is missing or itself merged.`)),
  ];
  return capped('entry-keys', out);
}

/**
 * No run is still `running` while a later run has finished: a run left running by a process
 * that died must be closed (`abandoned`) by the next one. (`abandoned` and `failed` are final.)
 * A job queue's run is the exception while one of its jobs can still run: its documents are
 * loaded by workers over time, and other runs may finish meanwhile.
 */
export async function checkStaleRuns(db: Db): Promise<Problem[]> {
  const inProgress = await queueRunsInProgress(db);
  const found = (await rows<{ id: number; started_at: string; newest: number }>(db, sql`
    select r.id, r.started_at::text as started_at, f.newest from runs r,
      (select max(id) as newest from runs where status = 'finished') f
    where r.status = 'running' and f.newest is not null and r.id < f.newest order by r.id`)).filter((r) => !inProgress.has(Number(r.id)));
  return capped('stale-runs', found.map((r) => `run ${r.id} (started ${r.started_at}) is still "running" although run ${r.newest} has finished since; its process is gone and nothing closed it.`));
}

/**
 * Each path has at most one `latest` document version, the latest version is a loaded one,
 * and a path with any loaded version has exactly one latest.
 */
export async function checkLatestDocuments(db: Db): Promise<Problem[]> {
  const found = await rows<{ path: string; latest: number; loaded: number; latest_rejected: number }>(db, sql`
    select path, count(*) filter (where latest)::int as latest, count(*) filter (where status = 'loaded')::int as loaded,
      count(*) filter (where latest and status <> 'loaded')::int as latest_rejected
    from documents group by path
    having count(*) filter (where latest) > 1 or count(*) filter (where latest and status <> 'loaded') > 0
      or (count(*) filter (where status = 'loaded') > 0 and count(*) filter (where latest) = 0)
    order by path limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  return capped('latest-documents', found.map((r) => {
    if (r.latest > 1) return `${r.path} has ${r.latest} versions marked latest.`;
    if (r.latest_rejected) return `${r.path}'s latest version is not a loaded one.`;
    return `${r.path} has ${r.loaded} loaded version(s) but none is marked latest.`;
  }));
}

/**
 * Nothing read is lost: every entry of a loaded document version is either an occurrence or a
 * rejected entry with its reason (entry_count = occurrences + rejected positions).
 */
export async function checkDocumentEntries(db: Db): Promise<Problem[]> {
  const found = await rows<{ id: number; path: string; entry_count: number; occ: number; rejected: number }>(db, sql`
    select d.id, d.path, d.entry_count,
      (select count(*)::int from occurrences o where o.document_id = d.id) as occ,
      (select count(distinct x.n)::int from diagnostics x where x.document_id = d.id and x.n is not null and x.severity = 'error') as rejected
    from documents d where d.status = 'loaded'`);
  const bad = found.filter((d) => d.entry_count !== d.occ + d.rejected);
  return capped('document-entries', bad.map((d) => `document ${d.id} (${d.path}) has ${d.entry_count} entries but ${d.occ} occurrences + ${d.rejected} rejected.`));
}

/**
 * The near-duplicate index is complete and exact: entry_buckets holds one row per bucket in
 * entries.bands of every live (not merged) entry, and no other row (none for a merged or
 * missing entry, none for a bucket the entry does not have). A missing row would hide the item
 * from near-duplicate matching without any error; the triggers of migrations/0002 keep it so.
 */
export async function checkEntryBuckets(db: Db): Promise<Problem[]> {
  const missing = await rows<{ id: number; n: number }>(db, sql`
    select e.id, count(*)::int as n from entries e cross join lateral unnest(e.bands) as b(bucket)
    where e.merged_into_id is null
      and not exists (select 1 from entry_buckets s where s.bucket = b.bucket and s.entry_id = e.id)
    group by e.id order by e.id limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  const stray = await rows<{ entry_id: number; n: number; exists: boolean; merged_into_id: number | null }>(db, sql`
    select s.entry_id, count(*)::int as n, bool_or(e.id is not null) as exists, max(e.merged_into_id) as merged_into_id
    from entry_buckets s left join entries e on e.id = s.entry_id
    where e.id is null or e.merged_into_id is not null or not (s.bucket = any (e.bands))
    group by s.entry_id order by s.entry_id limit ${MAX_PROBLEMS_PER_CHECK + 1}`);
  const out = [
    ...missing.map((m) => `live entry ${m.id} lacks ${m.n} of its LSH buckets in entry_buckets, so near-duplicate matching cannot find it there.`),
    ...stray.map((s) => {
      if (!s.exists) return `entry_buckets has ${s.n} row(s) for entry ${s.entry_id}, which does not exist.`;
      if (s.merged_into_id != null) return `entry_buckets has ${s.n} row(s) for entry ${s.entry_id}, which is merged into ${s.merged_into_id}.`;
      return `entry_buckets has ${s.n} row(s) for entry ${s.entry_id} with buckets not in its bands.`;
    }),
  ];
  return capped('entry-buckets', out);
}

/** Every check `digest verify` runs, in order. */
export const CHECKS: readonly Check[] = [
  { name: 'run-accounting', invariant: 'each run: entries_read = new + updated + unchanged + duplicate + rejected; file counts fit; every rejection has a reason', run: checkRunAccounting },
  { name: 'occurrence-refs', invariant: 'every occurrence points at a document, an entry and a run', run: checkOccurrenceRefs },
  { name: 'occurrences-unique', invariant: 'one occurrence per (document, n)', run: checkOccurrencesUnique },
  { name: 'entry-keys', invariant: 'no two live entries share a natural key; every entry_keys row points at a live or merged entry', run: checkEntryKeys },
  { name: 'entry-buckets', invariant: 'entry_buckets holds exactly the LSH buckets of the live entries', run: checkEntryBuckets },
  { name: 'stale-runs', invariant: 'no run is still running while a later run has finished', run: checkStaleRuns },
  { name: 'latest-documents', invariant: 'each path has at most one latest version, and it is loaded', run: checkLatestDocuments },
  { name: 'document-entries', invariant: 'every entry of a loaded document is an occurrence or a recorded rejection', run: checkDocumentEntries },
];
