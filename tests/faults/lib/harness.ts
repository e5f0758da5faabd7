import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../../src/db/client.ts';
import type { Problem } from '../../../src/verify/checks.ts';
import { verifyDatabase } from '../../../src/verify/verify.ts';
import type { SelfKill } from '../ingest-child.ts';
import { usePages } from './corpus.ts';
import { childProc, digestProc, type ParentKill, type ProcResult } from './proc.ts';
import { type DbState, runRows, snapshot } from './state.ts';
import { type FreshDb, withDb } from './targets.ts';

/** Seeded PRNG (mulberry32, the benchmark generator's), so a failing kill plan can be replayed from its seed. */
export { rng } from '../../../bench/generate.ts';

/** A temp folder for one test file. */
export function tempRoot(tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), `digest-faults-${tag}-`));
  mkdirSync(join(dir, 'work'), { recursive: true });
  return dir;
}

/** One attempt of `digest ingest`: the harness child with a self-kill, or the CLI with a parent kill. */
export type Attempt =
  | { via: 'child'; kill: SelfKill; what: string }
  | { via: 'cli'; kill: ParentKill; what: string };

/** What happened to one attempt (a kill point when `killed`). */
export interface AttemptLog {
  phase: string;
  what: string;
  killed: boolean;
  /** Killed by itself at a point inside the run (so its run cannot have finished). */
  selfKilled: boolean;
  /** The run the attempt started, when it got that far and said so. */
  runId: number | null;
  detail: string;
  ms: number;
}

/** Runs the real CLI to completion: `digest ingest pages` in `work`. Retries up to `tries` times. */
export async function ingestToEnd(db: FreshDb, work: string, tries = 3): Promise<{ runs: ProcResult[] }> {
  const runs: ProcResult[] = [];
  for (let i = 0; i < tries; i++) {
    const r = await digestProc(['ingest', ...db.args, 'pages'], { cwd: work, env: db.env });
    runs.push(r);
    if (r.code === 0) return { runs };
  }
  const last = runs[runs.length - 1]!;
  throw new Error(`digest ingest did not complete after ${tries} tries on ${db.label}: exit ${last.code} ${last.signal ?? ''}\n${last.stderr.slice(-2000)}`);
}

/** For a server database: whether the loader has a transaction open right now (seen from outside). */
export async function openTransactionNote(db: FreshDb): Promise<string> {
  if (!db.url) return '';
  const { default: postgres } = await import('postgres');
  const c = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await c<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and application_name = 'digest-etl' and xact_start is not null and pid <> pg_backend_pid()`;
    return rows[0]!.n > 0 ? 'a loader transaction was open' : 'no loader transaction was open';
  } finally {
    await c.end({ timeout: 2 });
  }
}

/**
 * One phase of a crash case: puts `version`'s pages in `work`, runs each attempt (each meant to
 * be killed), then runs the CLI to completion. Returns the attempt logs and how many attempts
 * completed (exit 0) - each completed attempt must leave one finished run.
 */
export async function crashPhase(db: FreshDb, work: string, version: string, phase: string, attempts: Attempt[]): Promise<{ logs: AttemptLog[]; completed: number; completedRuns: number[] }> {
  usePages(work, version);
  const logs: AttemptLog[] = [];
  const completedRuns: number[] = [];
  let completed = 0;
  for (const a of attempts) {
    const r = a.via === 'child'
      ? await childProc({ db: db.child, paths: ['pages'], kill: a.kill }, { cwd: work })
      : await digestProc(['ingest', ...db.args, 'pages'], { cwd: work, env: db.env, kill: a.kill, observe: () => openTransactionNote(db) });
    let detail: string;
    const self = r.events.find((e) => e.event === 'kill');
    if (r.killed) {
      detail = self ? `self-kill ${JSON.stringify(Object.fromEntries(Object.entries(self).filter(([k]) => k !== 'event' && k !== 'runId')))}` : `parent SIGKILL after ${r.loaded} document(s) loaded${r.note ? `; ${r.note}` : ''}`;
    } else if (r.code === 0) {
      completed++;
      if (r.runId != null) completedRuns.push(r.runId);
      detail = 'finished before the kill point was reached';
    } else {
      throw new Error(`${phase} attempt "${a.what}" exited ${r.code} without being killed:\n${r.stdout.slice(-1500)}\n${r.stderr.slice(-1500)}`);
    }
    logs.push({ phase, what: a.what, killed: r.killed, selfKilled: r.killed && Boolean(self), runId: r.runId, detail: `${detail}${r.runId != null ? ` [run ${r.runId}]` : ''}`, ms: r.ms });
  }
  const end = await ingestToEnd(db, work);
  for (const r of end.runs) {
    if (r.code === 0) {
      completed++;
      if (r.runId != null) completedRuns.push(r.runId);
    }
  }
  if (end.runs.length > 1) logs.push({ phase, what: 'completion', killed: false, selfKilled: false, runId: null, detail: `needed ${end.runs.length} runs to complete`, ms: 0 });
  return { logs, completed, completedRuns };
}

/** The state of the database, its verify problems and its runs (opened in this process, then closed). */
export async function inspect(db: FreshDb): Promise<{ state: DbState; problems: Problem[]; runs: Awaited<ReturnType<typeof runRows>> }> {
  return withDb(db, async (h) => ({ state: await snapshot(h.db), problems: (await verifyDatabase(h.db)).problems, runs: await runRows(h.db) }));
}

/** For a server database: the number of loader connections, and whether the runs row shows `n` files done. */
export function runsRowAtLeast(db: FreshDb, files: number): () => Promise<boolean> {
  return async () => {
    if (!db.url) return false;
    const { default: postgres } = await import('postgres');
    const c = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await c<{ n: number }[]>`select coalesce(max(files_read), 0)::int as n from runs where status = 'running'`.catch(() => [{ n: 0 }]);
      return rows[0]!.n >= files;
    } finally {
      await c.end({ timeout: 2 });
    }
  };
}

/** For a server database: true once a digest-etl connection exists (the CLI is starting up / migrating). */
export function loaderConnected(db: FreshDb): () => Promise<boolean> {
  return async () => {
    if (!db.url) return false;
    const { default: postgres } = await import('postgres');
    const c = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await c<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'digest-etl'`;
      return rows[0]!.n > 0;
    } finally {
      await c.end({ timeout: 2 });
    }
  };
}

/** Row count of a table (a quick check that a database holds data). */
export async function countRows(db: FreshDb, table: 'entries' | 'occurrences' | 'documents' | 'runs'): Promise<number> {
  return withDb(db, async (h) => rowsOf<{ n: number }>(await h.db.execute(sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n);
}
