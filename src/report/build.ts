import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { DEFAULT_THRESHOLDS, evaluate, type ReportThresholds } from './thresholds.ts';
import type {
  AccountingCheck,
  Breakdown,
  Count,
  CoverageField,
  CoverageRow,
  CoverageSection,
  DatesSection,
  DiagnosticGroup,
  DiagnosticsSection,
  DuplicatesSection,
  EntryRow,
  Rejection,
  Report,
  RunSection,
  TimingSection,
} from './types.ts';
import { COVERAGE_FIELDS } from './types.ts';

/** What to report on and how much of it. */
export interface ReportOptions {
  /** One run by id (any status). */
  runId?: number;
  /** Every finished run started at or after this instant (ISO date or date-time). */
  since?: string;
  /** Examples per diagnostic code (default 5). */
  examples?: number;
  /** Values listed per breakdown: countries, sources (default 20). */
  top?: number;
  /** Rows of the entries table (default 10,000) and of the duplicates list (default 500). */
  maxEntries?: number;
  maxDuplicates?: number;
  /** Slowest files listed (default 10). */
  slowest?: number;
  /** Thresholds for the checks (default DEFAULT_THRESHOLDS); its drift margin marks drift. */
  thresholds?: ReportThresholds;
  /** The report's "generated at" (default: the epoch, so tests and callers pass one). */
  now?: Date;
  /** Where the data came from, for the header (e.g. `PGlite .digest/pglite`). */
  database?: string | null;
}

/** A report that cannot be made (no such run, no finished run yet). */
export class ReportError extends Error {
  override name = 'ReportError';
}

const num = (v: unknown): number => (v == null ? 0 : Number(v));
const numOrNull = (v: unknown): number | null => (v == null ? null : Number(v));
const str = (v: unknown): string | null => (v == null ? null : String(v));

/** `col IN (the scope's run ids)`, the ids passed as one JSON parameter (no array expansion). */
function inRuns(col: string, ids: readonly number[]): SQL {
  return sql`${sql.raw(col)} in (select (jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))::int)`;
}

async function rows<T>(db: Db, q: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(q));
}

/** The runs a report covers, oldest first. */
async function selectRuns(db: Db, opts: ReportOptions): Promise<{ ids: number[]; kind: Report['scope']['kind'] }> {
  if (opts.runId != null) {
    const found = await rows<{ id: number }>(db, sql`select id from runs where id = ${opts.runId}`);
    if (!found.length) throw new ReportError(`there is no run ${opts.runId}.`);
    return { ids: [opts.runId], kind: 'run' };
  }
  if (opts.since != null) {
    const found = await rows<{ id: number }>(db, sql`select id from runs where status = 'finished' and started_at >= ${opts.since}::timestamptz order by id`);
    if (!found.length) throw new ReportError(`no run finished since ${opts.since}.`);
    return { ids: found.map((r) => num(r.id)), kind: 'since' };
  }
  const [latest] = await rows<{ id: number | null }>(db, sql`select max(id) as id from runs where status = 'finished'`);
  if (latest?.id == null) throw new ReportError('there is no finished run yet; run "digest ingest" first.');
  return { ids: [num(latest.id)], kind: 'latest' };
}

async function runSection(db: Db, ids: number[]): Promise<RunSection> {
  const runRows = await rows<Record<string, unknown>>(
    db,
    sql`select id, status, pipeline, error,
          to_char(started_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as started,
          to_char(finished_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as finished,
          round(extract(epoch from (coalesce(finished_at, now()) - started_at)) * 1000)::int as duration_ms,
          files_read, files_rejected, files_unchanged, entries_read, entries_new, entries_updated,
          entries_unchanged, entries_duplicate, entries_rejected
        from runs where ${inRuns('id', ids)} order by id`,
  );
  const sum = (k: string) => runRows.reduce((a, r) => a + num(r[k]), 0);
  const [occ] = await rows<Record<string, unknown>>(
    db,
    sql`select count(*) filter (where outcome = 'new')::int as new,
               count(*) filter (where outcome = 'updated')::int as updated,
               count(*) filter (where outcome = 'duplicate')::int as duplicate
        from occurrences where ${inRuns('run_id', ids)}`,
  );
  const [rej] = await rows<Record<string, unknown>>(
    db,
    sql`select count(*) filter (where n is null)::int as files,
               count(distinct (coalesce(document_id, 0), file, n)) filter (where n is not null)::int as entries
        from diagnostics where severity = 'error' and ${inRuns('run_id', ids)}`,
  );
  const rejectedFiles = await rows<Record<string, unknown>>(
    db,
    sql`select file, n, line, code, message from diagnostics
        where severity = 'error' and n is null and ${inRuns('run_id', ids)} order by id`,
  );
  const rejectedEntries = await rows<Record<string, unknown>>(
    db,
    sql`select distinct on (coalesce(document_id, 0), file, n) file, n, line, code, message,
               split_part(coalesce(raw, ''), chr(10), 1) as title
        from diagnostics where severity = 'error' and n is not null and ${inRuns('run_id', ids)}
        order by coalesce(document_id, 0), file, n, id`,
  );
  const entries = {
    read: sum('entries_read'),
    new: sum('entries_new'),
    updated: sum('entries_updated'),
    unchanged: sum('entries_unchanged'),
    duplicate: sum('entries_duplicate'),
    rejected: sum('entries_rejected'),
  };
  const brokenRuns = runRows.filter(
    (r) => num(r.entries_read) !== num(r.entries_new) + num(r.entries_updated) + num(r.entries_unchanged) + num(r.entries_duplicate) + num(r.entries_rejected),
  );
  const parts = entries.new + entries.updated + entries.unchanged + entries.duplicate + entries.rejected;
  const checks: AccountingCheck[] = [
    { name: 'read = new + updated + unchanged + duplicate + rejected', expected: entries.read, found: parts, ok: brokenRuns.length === 0 && parts === entries.read },
    { name: 'new entries = occurrence rows "new"', expected: entries.new, found: num(occ?.new), ok: entries.new === num(occ?.new) },
    { name: 'updated entries = occurrence rows "updated"', expected: entries.updated, found: num(occ?.updated), ok: entries.updated === num(occ?.updated) },
    { name: 'duplicate entries = occurrence rows "duplicate"', expected: entries.duplicate, found: num(occ?.duplicate), ok: entries.duplicate === num(occ?.duplicate) },
    { name: 'rejected entries = entries with an error diagnostic', expected: entries.rejected, found: num(rej?.entries), ok: entries.rejected === num(rej?.entries) },
    { name: 'rejected files = files with an error diagnostic', expected: sum('files_rejected'), found: num(rej?.files), ok: sum('files_rejected') === num(rej?.files) },
  ];
  const toRejection = (r: Record<string, unknown>): Rejection => ({
    file: String(r.file),
    n: numOrNull(r.n),
    line: numOrNull(r.line),
    code: String(r.code),
    message: String(r.message),
    title: str(r.title),
  });
  const first = runRows[0]!;
  const last = runRows[runRows.length - 1]!;
  return {
    runIds: runRows.map((r) => num(r.id)),
    statuses: runRows.map((r) => String(r.status)),
    pipeline: [...new Set(runRows.map((r) => String(r.pipeline)))].join(', '),
    startedAt: String(first.started),
    finishedAt: str(last.finished),
    durationMs: sum('duration_ms'),
    files: {
      read: sum('files_read'),
      loaded: sum('files_read') - sum('files_rejected') - sum('files_unchanged'),
      unchanged: sum('files_unchanged'),
      rejected: sum('files_rejected'),
    },
    entries,
    accounting: { ok: checks.every((c) => c.ok), checks },
    rejectedFiles: rejectedFiles.map(toRejection),
    rejectedEntries: rejectedEntries.map(toRejection),
    errors: runRows.map((r) => str(r.error)).filter((e): e is string => e != null),
  };
}

/** Field counts among the loaded entries (occurrences) of the given runs. */
async function coverageCounts(db: Db, ids: number[]): Promise<{ total: number; counts: Record<CoverageField, number> }> {
  const [r] = await rows<Record<string, unknown>>(
    db,
    sql`select count(*)::int as total,
          count(*) filter (where nullif(values->>'source', '') is not null)::int as source,
          count(*) filter (where nullif(values->>'country', '') is not null)::int as country,
          count(*) filter (where nullif(values->>'date', '') is not null)::int as date,
          count(*) filter (where values->>'datePrecision' = 'day')::int as date_day,
          count(*) filter (where values->>'datePrecision' = 'month')::int as date_month,
          count(*) filter (where values->>'datePrecision' = 'year')::int as date_year,
          count(*) filter (where nullif(values->>'doi', '') is not null)::int as doi,
          count(*) filter (where nullif(values->>'pmid', '') is not null)::int as pmid,
          count(*) filter (where nullif(values->>'pmcid', '') is not null)::int as pmcid,
          count(*) filter (where coalesce(values->>'language', 'und') <> 'und')::int as language
        from occurrences where ${inRuns('run_id', ids)}`,
  );
  const g = (k: string) => num(r?.[k]);
  return {
    total: g('total'),
    counts: {
      source: g('source'),
      country: g('country'),
      date: g('date'),
      dateDay: g('date_day'),
      dateMonth: g('date_month'),
      dateYear: g('date_year'),
      doi: g('doi'),
      pmid: g('pmid'),
      pmcid: g('pmcid'),
      language: g('language'),
    },
  };
}

async function coverageSection(db: Db, ids: number[], margin: number): Promise<CoverageSection> {
  const cur = await coverageCounts(db, ids);
  const [prev] = await rows<{ id: number | null }>(
    db,
    sql`select max(o.run_id) as id from occurrences o join runs r on r.id = o.run_id
        where r.status = 'finished' and o.run_id < ${Math.min(...ids)}`,
  );
  const previousRunId = numOrNull(prev?.id);
  const before = previousRunId != null ? await coverageCounts(db, [previousRunId]) : null;
  const rowsOut: CoverageRow[] = COVERAGE_FIELDS.map((field) => {
    const share = cur.total ? cur.counts[field] / cur.total : null;
    const previousShare = before && before.total ? before.counts[field] / before.total : null;
    const change = share != null && previousShare != null ? share - previousShare : null;
    return {
      field,
      count: cur.counts[field],
      share,
      previousCount: before ? before.counts[field] : null,
      previousShare,
      change,
      // A hair of tolerance so that a drop of exactly the margin is not drift.
      drift: change != null && change < -margin - 1e-9,
    };
  });
  return { total: cur.total, previousRunId, previousTotal: before?.total ?? null, driftMargin: margin, rows: rowsOut };
}

async function diagnosticsSection(db: Db, ids: number[], examples: number): Promise<DiagnosticsSection> {
  const groups = await rows<Record<string, unknown>>(
    db,
    sql`select code, min(severity) as severity, count(*)::int as count from diagnostics
        where ${inRuns('run_id', ids)} group by code order by count(*) desc, code`,
  );
  const [sev] = await rows<Record<string, unknown>>(
    db,
    sql`select count(*)::int as total,
               count(*) filter (where severity = 'error')::int as error,
               count(*) filter (where severity = 'warning')::int as warning,
               count(*) filter (where severity = 'info')::int as info
        from diagnostics where ${inRuns('run_id', ids)}`,
  );
  const ex = await rows<Record<string, unknown>>(
    db,
    sql`select code, file, line, n, message, excerpt, title from (
          select d.code, d.file, d.line, d.n, d.message, d.excerpt, d.id,
                 coalesce(o.title, nullif(split_part(coalesce(d.raw, ''), chr(10), 1), '')) as title,
                 row_number() over (partition by d.code order by d.id) as rn
          from diagnostics d
          left join occurrences o on o.document_id = d.document_id and o.n = d.n
          where ${inRuns('d.run_id', ids)}
        ) x where rn <= ${examples} order by code, id`,
  );
  const byCode = new Map<string, DiagnosticGroup>();
  for (const g of groups) byCode.set(String(g.code), { code: String(g.code), severity: String(g.severity), count: num(g.count), examples: [] });
  for (const e of ex) {
    byCode.get(String(e.code))?.examples.push({
      file: String(e.file),
      line: numOrNull(e.line),
      n: numOrNull(e.n),
      title: str(e.title),
      message: String(e.message),
      excerpt: str(e.excerpt),
    });
  }
  return {
    total: num(sev?.total),
    bySeverity: { error: num(sev?.error), warning: num(sev?.warning), info: num(sev?.info) },
    groups: [...byCode.values()],
  };
}

async function duplicatesSection(db: Db, ids: number[], limit: number): Promise<DuplicatesSection> {
  const byRule = await rows<Record<string, unknown>>(
    db,
    sql`select coalesce(match_rule, 'exact-key') as key, count(*)::int as count from occurrences
        where outcome = 'duplicate' and ${inRuns('run_id', ids)} group by 1 order by 2 desc, 1`,
  );
  const list = await rows<Record<string, unknown>>(
    db,
    sql`select d.path as file, o.n, o.title, coalesce(o.match_rule, 'exact-key') as rule, o.similarity,
               o.duplicate_of, e.id as item_id, e.title as item_title
        from occurrences o join documents d on d.id = o.document_id join entries e on e.id = o.entry_id
        where o.outcome = 'duplicate' and ${inRuns('o.run_id', ids)}
        order by o.similarity asc nulls last, d.path, o.n limit ${limit}`,
  );
  return {
    total: byRule.reduce((a, r) => a + num(r.count), 0),
    byRule: byRule.map((r) => ({ key: String(r.key), count: num(r.count) })),
    rows: list.map((r) => ({
      file: String(r.file),
      n: num(r.n),
      title: String(r.title),
      rule: String(r.rule),
      // real -> float8 widening shows as 0.8999999761; three places is what was stored.
      similarity: r.similarity == null ? null : Math.round(Number(r.similarity) * 1000) / 1000,
      duplicateOf: str(r.duplicate_of),
      itemId: num(r.item_id),
      itemTitle: String(r.item_title),
    })),
  };
}

async function languages(db: Db, ids: number[]): Promise<Count[]> {
  const r = await rows<Record<string, unknown>>(
    db,
    sql`select coalesce(values->>'language', 'und') as key, count(*)::int as count from occurrences
        where ${inRuns('run_id', ids)} group by 1 order by 2 desc, 1`,
  );
  return r.map((x) => ({ key: String(x.key), count: num(x.count) }));
}

/** Top values of one field of the occurrences' values, with the rest summed. */
async function breakdown(db: Db, ids: number[], field: 'country' | 'source', top: number): Promise<Breakdown> {
  const v = sql.raw(`nullif(values->>'${field}', '')`);
  const [s] = await rows<Record<string, unknown>>(
    db,
    sql`select count(*) filter (where ${v} is null)::int as none,
               count(*) filter (where ${v} is not null)::int as with_value,
               count(distinct ${v})::int as distinct
        from occurrences where ${inRuns('run_id', ids)}`,
  );
  const t = await rows<Record<string, unknown>>(
    db,
    sql`select ${v} as key, count(*)::int as count from occurrences
        where ${v} is not null and ${inRuns('run_id', ids)} group by 1 order by 2 desc, 1 limit ${top}`,
  );
  const topRows = t.map((x) => ({ key: String(x.key), count: num(x.count) }));
  return {
    none: num(s?.none),
    distinct: num(s?.distinct),
    top: topRows,
    other: num(s?.with_value) - topRows.reduce((a, x) => a + x.count, 0),
  };
}

async function datesSection(db: Db, ids: number[]): Promise<DatesSection> {
  const counts = (q: SQL) => rows<Record<string, unknown>>(db, q).then((r) => r.map((x) => ({ key: String(x.key), count: num(x.count) })));
  const byMonth = await counts(
    sql`select substr(values->>'date', 1, 7) as key, count(*)::int as count from occurrences
        where values->>'datePrecision' in ('day', 'month') and ${inRuns('run_id', ids)} group by 1 order by 1`,
  );
  const byYear = await counts(
    sql`select substr(values->>'date', 1, 4) as key, count(*)::int as count from occurrences
        where nullif(values->>'date', '') is not null and ${inRuns('run_id', ids)} group by 1 order by 1`,
  );
  const flagged = await counts(
    sql`select values->>'dateFlag' as key, count(*)::int as count from occurrences
        where values->>'dateFlag' is not null and ${inRuns('run_id', ids)} group by 1 order by 2 desc, 1`,
  );
  const [s] = await rows<Record<string, unknown>>(
    db,
    sql`select count(*) filter (where values->>'datePrecision' = 'year')::int as year_only,
               count(*) filter (where nullif(values->>'date', '') is null)::int as undated
        from occurrences where ${inRuns('run_id', ids)}`,
  );
  return { byMonth, byYear, yearOnly: num(s?.year_only), undated: num(s?.undated), flagged };
}

async function timingSection(db: Db, ids: number[], durationMs: number, limit: number): Promise<TimingSection> {
  const touched = sql`(
    select document_id from occurrences where ${inRuns('run_id', ids)}
    union select document_id from diagnostics where document_id is not null and ${inRuns('run_id', ids)}
    union select id from documents where ${inRuns('first_run_id', ids)})`;
  const [t] = await rows<Record<string, unknown>>(
    db,
    sql`select coalesce(sum(parse_ms), 0)::int as parse_ms, coalesce(sum(load_ms), 0)::int as load_ms
        from documents where id in ${touched}`,
  );
  const slow = await rows<Record<string, unknown>>(
    db,
    sql`select path, status, entry_count, bytes, parse_ms, load_ms,
               (coalesce(parse_ms, 0) + coalesce(load_ms, 0))::int as total_ms
        from documents where id in ${touched}
        order by total_ms desc, path limit ${limit}`,
  );
  const parseMs = num(t?.parse_ms);
  const loadMs = num(t?.load_ms);
  return {
    parseMs,
    loadMs,
    otherMs: Math.max(0, durationMs - parseMs - loadMs),
    slowest: slow.map((r) => ({
      file: String(r.path),
      status: String(r.status),
      entries: num(r.entry_count),
      bytes: numOrNull(r.bytes),
      parseMs: numOrNull(r.parse_ms),
      loadMs: numOrNull(r.load_ms),
      totalMs: num(r.total_ms),
    })),
  };
}

async function entriesTable(db: Db, ids: number[], limit: number): Promise<{ total: number; rows: EntryRow[] }> {
  const body = sql`
    with diag as (
      select document_id, n, jsonb_agg(jsonb_build_object('code', code, 'severity', severity, 'message', message) order by id) as issues
      from diagnostics where n is not null and document_id is not null and ${inRuns('run_id', ids)}
      group by document_id, n
    ),
    rejected as (
      select distinct on (document_id, n) document_id, file, n, line, split_part(coalesce(raw, ''), chr(10), 1) as title
      from diagnostics where severity = 'error' and n is not null and document_id is not null and ${inRuns('run_id', ids)}
      order by document_id, n, id
    ),
    t as (
      select o.entry_id as item_id, d.path as file, o.n, o.title_line as line, o.title, o.outcome,
             o.values->>'source' as source, o.values->>'country' as country, o.values->>'date' as date,
             o.values->>'language' as language, o.values->>'doi' as doi, coalesce(g.issues, '[]'::jsonb) as issues
      from occurrences o join documents d on d.id = o.document_id
      left join diag g on g.document_id = o.document_id and g.n = o.n
      where ${inRuns('o.run_id', ids)}
      union all
      select null, r.file, r.n, coalesce(r.line, 0), r.title, 'rejected', null, null, null, null, null, coalesce(g.issues, '[]'::jsonb)
      from rejected r left join diag g on g.document_id = r.document_id and g.n = r.n
    )`;
  const [c] = await rows<{ total: number }>(db, sql`${body} select count(*)::int as total from t`);
  const list = await rows<Record<string, unknown>>(db, sql`${body} select * from t order by file, n limit ${limit}`);
  const parseIssues = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as EntryRow['issues'];
  return {
    total: num(c?.total),
    rows: list.map((r) => ({
      itemId: numOrNull(r.item_id),
      file: String(r.file),
      n: num(r.n),
      line: num(r.line),
      title: String(r.title ?? ''),
      outcome: String(r.outcome),
      source: str(r.source),
      country: str(r.country),
      date: str(r.date),
      language: str(r.language),
      doi: str(r.doi),
      issues: parseIssues(r.issues),
    })),
  };
}

/**
 * Builds the quality report of a run from the database alone (never the raw files): the run
 * and its accounting, field coverage against the previous run that loaded entries, diagnostics
 * by code with examples, duplicates, language, country, source and date breakdowns, timings,
 * the entries table, and the threshold checks. Defaults: the latest finished run, 5 examples
 * per code, top 20, drift margin 5 points.
 * @throws ReportError when the run does not exist or no run has finished yet
 */
export async function buildReport(db: Db, opts: ReportOptions = {}): Promise<Report> {
  if (opts.runId != null && opts.since != null) throw new ReportError('--run and --since choose runs in two ways; give one.');
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const { ids, kind } = await selectRuns(db, opts);
  const run = await runSection(db, ids);
  const report: Omit<Report, 'checks'> = {
    version: 1,
    generatedAt: (opts.now ?? new Date(0)).toISOString(),
    database: opts.database ?? null,
    scope: { kind, since: opts.since ?? null },
    run,
    coverage: await coverageSection(db, ids, thresholds.driftMargin),
    diagnostics: await diagnosticsSection(db, ids, opts.examples ?? 5),
    duplicates: await duplicatesSection(db, ids, opts.maxDuplicates ?? 500),
    languages: await languages(db, ids),
    countries: await breakdown(db, ids, 'country', opts.top ?? 20),
    sources: await breakdown(db, ids, 'source', opts.top ?? 20),
    dates: await datesSection(db, ids),
    timing: await timingSection(db, ids, run.durationMs, opts.slowest ?? 10),
    entries: await entriesTable(db, ids, opts.maxEntries ?? 10_000),
  };
  return { ...report, checks: evaluate(report, thresholds) };
}
