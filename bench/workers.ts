/**
 * Benchmark of the job queue: documents/s for 1, 2 and 4 `digest worker` processes on the
 * same generated pages against a PostgreSQL server, the queue's overhead per document, and a
 * plain `digest ingest` (no queue, one process) of the same pages for comparison.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:workers
 *   npm run bench:workers -- --url postgres://… --pages 2000 --entries 10 --workers 1,2,4
 *
 * Each configuration gets a fresh database (created on the URL's server, dropped afterwards).
 * The workers (`--concurrency 1` each) are started and idle first; the clock runs from the
 * enqueue's commit to the run's `finished` status. Per job, the worker reports the time inside
 * `ingestDocument` (read, parse, load) and the time of the whole task (liveness check, claiming
 * the job, counting it on the run, commit); the queue's overhead per document is the rest of
 * each worker's busy time: the task's own bookkeeping plus graphile-worker fetching and
 * completing jobs between documents. Prints a table and the results as JSON.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { Logger, runMigrations } from 'graphile-worker';
import postgres from 'postgres';
import { createDb, type DbHandle, rowsOf } from '../src/db/client.ts';
import { onJsonLines } from '../src/log/json-lines.ts';
import { createContext } from '../src/pipeline/context.ts';
import { runIngest } from '../src/pipeline/run.ts';
import { enqueueInputs } from '../src/queue/enqueue.ts';
import { genPage } from './generate.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    pages: { type: 'string', default: '2000' },
    entries: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1,2,4' },
    seed: { type: 'string', default: '77' },
    'skip-ingest': { type: 'boolean' },
  },
});
const BASE = values.url ?? process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!BASE) {
  process.stderr.write('bench:workers needs a PostgreSQL server: --url postgres://… or DATABASE_URL\n');
  process.exit(2);
}
const PAGES = Number(values.pages);
const ENTRIES = Number(values.entries);
const SEED = Number(values.seed);
const WORKERS = values.workers!.split(',').map(Number);

// The corpus, reused when it exists for these parameters.
const dir = join(tmpdir(), `digest-bench-workers-${PAGES}-${ENTRIES}-${SEED}`);
const have = (() => {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
})();
if (have !== PAGES) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < PAGES; i++) writeFileSync(join(dir, `page-${String(i).padStart(5, '0')}.txt`), genPage(SEED, i * ENTRIES * 2, ENTRIES));
}

/** A fresh database on the server, and how to drop it. */
async function freshDatabase(tag: string): Promise<{ url: string; handle: DbHandle; drop(): Promise<void> }> {
  const name = `dq_bench_workers_${tag}_${process.pid}`;
  const admin = postgres(BASE!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(BASE!);
  u.pathname = `/${name}`;
  const url = u.toString();
  const handle = await createDb({ url });
  await runMigrations({ connectionString: url, logger: new Logger(() => () => {}) });
  return {
    url,
    handle,
    drop: async () => {
      await handle.close();
      const a = postgres(BASE!, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

interface WorkerProc {
  child: ChildProcess;
  events: Array<Record<string, unknown>>;
  started: Promise<void>;
  exited: Promise<void>;
}

function startWorker(url: string): WorkerProc {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url };
  delete env.DIGEST_DB_DIR;
  const child = spawn(process.execPath, [join(ROOT, 'bin/digest.js'), 'worker', '--concurrency', '1'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const events: Array<Record<string, unknown>> = [];
  let onStart: () => void = () => {};
  const started = new Promise<void>((r) => (onStart = r));
  onJsonLines(child.stdout!, (e) => {
    events.push(e);
    if (e.event === 'worker-start') onStart();
  });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  return { child, events, started, exited };
}

/** Busy and total CPU time of the whole machine so far, from /proc/stat (jiffies). */
function machineCpu(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = f[3]! + (f[4] ?? 0);
    const total = f.reduce((s, x) => s + x, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

/** CPU ms used so far by each server backend of the database (from /proc/PID/stat; Linux, same machine). */
async function backendCpu(handle: DbHandle): Promise<Map<number, number>> {
  const rows = rowsOf<{ pid: number }>(await handle.db.execute(sql`select pid from pg_stat_activity where datname = current_database()`));
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(Number(pid), ((Number(f[11]) + Number(f[12])) * 1000) / 100); // utime + stime, 100 Hz
    } catch {
      /* gone, or not on this machine */
    }
  }
  return out;
}

/** CPU ms the backends used between two readings (a backend that appeared counts in full). */
function backendDelta(a: Map<number, number>, b: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of b) sum += ms - (a.get(pid) ?? 0);
  return sum;
}

/** Share of the machine's CPU time that was busy between two readings. */
const busyShare = (a: { busy: number; total: number }, b: { busy: number; total: number }) => (b.total > a.total ? round((100 * (b.busy - a.busy)) / (b.total - a.total), 0) : null);

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

interface Result {
  workers: number | 'ingest';
  documents: number;
  entries: number;
  seconds: number;
  docsPerSecond: number;
  speedup: number | null;
  enqueueSeconds: number | null;
  /** Mean ms per document inside ingestDocument. */
  ingestMs: number;
  /** Mean ms of the document transaction's COMMIT (inside ingestMs for plain ingest). */
  commitMs: number | null;
  /** Mean ms per document the task spent outside ingestDocument and the commit (liveness check, claiming the job, split keys, run counts). */
  taskOverheadMs: number | null;
  /** Mean ms per document between one job's end and the next one's start (graphile-worker). */
  betweenJobsMs: number | null;
  /** taskOverheadMs + betweenJobsMs. */
  queueOverheadMs: number | null;
  /** Jobs per worker process. */
  jobsPerWorker: number[] | null;
  /** CPU ms per document used by the worker processes (Node: parsing and the drivers). */
  workerCpuMsPerDoc: number | null;
  /** CPU ms per document used by the database server's backends for this database. */
  serverCpuMsPerDoc: number | null;
  /** Share of the machine's CPU (all cores) our processes (Node and server backends) used. */
  ourPercent: number | null;
  /** Share of the machine's CPU (all cores) that was busy during the measurement, ours and others'. */
  machineBusyPercent: number | null;
  /** 1-minute load average at the end. */
  loadAverage: number;
}

async function benchWorkers(n: number): Promise<Result> {
  const db = await freshDatabase(`w${n}`);
  const procs = Array.from({ length: n }, () => startWorker(db.url));
  try {
    await Promise.all(procs.map((p) => p.started));
    const t0 = Date.now();
    const enq = await enqueueInputs(db.handle.db, [dir], { pipeline: 'bench' });
    const tEnqueued = Date.now();
    const cpu0 = machineCpu();
    const pg0 = await backendCpu(db.handle);
    for (;;) {
      const [row] = rowsOf<{ status: string }>(await db.handle.db.execute(sql`select status from runs where id = ${enq.runId}`));
      if (row?.status === 'finished') break;
      if (row?.status !== 'running') throw new Error(`run ${enq.runId} ended ${row?.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - tEnqueued) / 1000;
    const cpu1 = machineCpu();
    const pg1 = await backendCpu(db.handle);
    const load = loadavg()[0]!;
    for (const p of procs) p.child.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.exited));
    const [counts] = rowsOf<{ files: number; entries: number }>(await db.handle.db.execute(sql`select files_read as files, entries_read as entries from runs where id = ${enq.runId}`));
    const jobs = procs.map((p) => p.events.filter((e) => e.event === 'job'));
    const starts = procs.map((p) => p.events.filter((e) => e.event === 'job-start'));
    const all = jobs.flat();
    // Between jobs: per process, from each job's end to the next job's start (concurrency 1).
    const gaps: number[] = [];
    for (let k = 0; k < procs.length; k++) {
      const ends = jobs[k]!.map((e) => Date.parse(e.at as string));
      const begins = starts[k]!.map((e) => Date.parse(e.at as string));
      for (let i = 1; i < begins.length && i - 1 < ends.length; i++) gaps.push(begins[i]! - ends[i - 1]!);
    }
    const ingestMs = mean(all.map((e) => e.ingestMs as number));
    const commitMs = mean(all.map((e) => e.commitMs as number));
    // Node CPU of the workers from start (after start-up) to stop.
    const cpuAt = (p: WorkerProc, event: string) => Number(p.events.find((e) => e.event === event)?.cpuMs ?? 0);
    const nodeMs = procs.reduce((sum, p) => sum + cpuAt(p, 'worker-stop') - cpuAt(p, 'worker-start'), 0);
    const taskOverheadMs = mean(all.map((e) => (e.taskMs as number) - (e.ingestMs as number) - (e.commitMs as number)));
    const betweenJobsMs = mean(gaps);
    return {
      workers: n,
      documents: Number(counts!.files),
      entries: Number(counts!.entries),
      seconds: round(seconds, 2),
      docsPerSecond: round(Number(counts!.files) / seconds),
      speedup: null,
      enqueueSeconds: round((tEnqueued - t0) / 1000, 2),
      ingestMs: round(ingestMs),
      commitMs: round(commitMs),
      taskOverheadMs: round(taskOverheadMs),
      betweenJobsMs: round(betweenJobsMs),
      queueOverheadMs: round(taskOverheadMs + betweenJobsMs),
      jobsPerWorker: jobs.map((j) => j.length),
      workerCpuMsPerDoc: round(nodeMs / Number(counts!.files)),
      serverCpuMsPerDoc: round(backendDelta(pg0, pg1) / Number(counts!.files)),
      ourPercent: round((100 * (nodeMs + backendDelta(pg0, pg1))) / (seconds * 1000 * availableParallelism()), 0),
      machineBusyPercent: busyShare(cpu0, cpu1),
      loadAverage: round(load, 1),
    };
  } finally {
    for (const p of procs) if (p.child.exitCode == null) p.child.kill('SIGKILL');
    await db.drop();
  }
}

async function benchIngest(): Promise<Result> {
  const db = await freshDatabase('ingest');
  try {
    let ingestTotal = 0;
    let last = Date.now();
    const t0 = Date.now();
    const cpu0 = machineCpu();
    const pg0 = await backendCpu(db.handle);
    const own0 = process.cpuUsage();
    const r = await runIngest(db.handle, [dir], createContext({ now: new Date() }), () => {
      const now = Date.now();
      ingestTotal += now - last;
      last = now;
    });
    const seconds = (Date.now() - t0) / 1000;
    const own = process.cpuUsage(own0);
    const cpu1 = machineCpu();
    const pg1 = await backendCpu(db.handle);
    const ownMs = (own.user + own.system) / 1000;
    return {
      workers: 'ingest',
      documents: r.counts.filesRead,
      entries: r.counts.entriesRead,
      seconds: round(seconds, 2),
      docsPerSecond: round(r.counts.filesRead / seconds),
      speedup: null,
      enqueueSeconds: null,
      ingestMs: round(ingestTotal / r.counts.filesRead),
      commitMs: null,
      taskOverheadMs: null,
      betweenJobsMs: null,
      queueOverheadMs: null,
      jobsPerWorker: null,
      workerCpuMsPerDoc: round(ownMs / r.counts.filesRead),
      serverCpuMsPerDoc: round(backendDelta(pg0, pg1) / r.counts.filesRead),
      ourPercent: round((100 * (ownMs + backendDelta(pg0, pg1))) / (seconds * 1000 * availableParallelism()), 0),
      machineBusyPercent: busyShare(cpu0, cpu1),
      loadAverage: round(loadavg()[0]!, 1),
    };
  } finally {
    await db.drop();
  }
}

const results: Result[] = [];
if (!values['skip-ingest']) {
  process.stderr.write(`digest ingest (no queue), ${PAGES} pages of ${ENTRIES} entries…\n`);
  results.push(await benchIngest());
  process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
}
for (const n of WORKERS) {
  process.stderr.write(`${n} worker process${n === 1 ? '' : 'es'}…\n`);
  results.push(await benchWorkers(n));
  process.stderr.write(`${JSON.stringify(results.at(-1))}\n`);
}
const one = results.find((r) => r.workers === 1);
for (const r of results) if (one && typeof r.workers === 'number') r.speedup = round(r.docsPerSecond / one.docsPerSecond, 2);

const header = ['workers', 'docs', 'entries', 'seconds', 'docs/s', 'speedup', 'ingest ms/doc', 'commit ms', 'task overhead ms', 'between jobs ms', 'queue overhead ms/doc', 'Node CPU ms/doc', 'server CPU ms/doc', `ours of ${availableParallelism()} cores`, 'machine busy', 'load', 'jobs per worker'];
const rows = results.map((r) => [
  r.workers === 'ingest' ? 'ingest (no queue)' : String(r.workers),
  r.documents,
  r.entries,
  r.seconds,
  r.docsPerSecond,
  r.speedup ?? '',
  r.ingestMs,
  r.commitMs ?? '',
  r.taskOverheadMs ?? '',
  r.betweenJobsMs ?? '',
  r.queueOverheadMs != null ? `${r.queueOverheadMs} (${round((100 * r.queueOverheadMs) / (r.queueOverheadMs + r.ingestMs + (r.commitMs ?? 0)), 0)}%)` : '',
  r.workerCpuMsPerDoc ?? '',
  r.serverCpuMsPerDoc ?? '',
  r.ourPercent != null ? `${r.ourPercent}%` : '',
  r.machineBusyPercent != null ? `${r.machineBusyPercent}%` : '',
  r.loadAverage,
  r.jobsPerWorker?.join('/') ?? '',
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
const line = (cells: unknown[]) => cells.map((c, i) => String(c).padStart(widths[i]!)).join('  ');
process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n\n`);
process.stdout.write(`${JSON.stringify({ pages: PAGES, entriesPerPage: ENTRIES, cores: availableParallelism(), results }, null, 2)}\n`);
