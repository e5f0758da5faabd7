import { EventEmitter } from 'node:events';
import { Logger, run, runMigrations, runOnce, type RunnerOptions, type WorkerEvents, type WorkerPool } from 'graphile-worker';
import type { Db } from '../db/client.ts';
import type { PipelineConfig } from '../types.ts';
import { TASK } from './job.ts';
import { WorkerLiveness } from './liveness.ts';
import { closeOrphanedQueueRuns } from './runs.ts';
import { makeIngestTask } from './task.ts';

/** CPU milliseconds this process has used so far (user + system). */
function cpuMs(): number {
  const c = process.cpuUsage();
  return Math.round((c.user + c.system) / 1000);
}

/** Options of a worker process. */
export interface WorkerOptions {
  /** The server (graphile-worker needs PostgreSQL; PGlite has no second connection). */
  url: string;
  /** The drizzle database the documents are loaded through. */
  db: Db;
  /** Jobs run at once in this process (default 1). */
  concurrency?: number;
  /** Work off the jobs that are due now, then stop (graphile-worker's runOnce). */
  once?: boolean;
  /** Every event as a JSON-able object: jobs, sweeps, start and stop. */
  emit(event: Record<string, unknown>): void;
  /** graphile-worker's own messages at or above `warning` (info and debug with `verbose`). */
  logLine(line: string): void;
  verbose?: boolean;
  /** Milliseconds between liveness sweeps (default 10,000). */
  sweepIntervalMs?: number;
  /** Seconds a job must have been locked before its pool can be judged dead (default 10). */
  staleAfterSeconds?: number;
  /** Milliseconds a graceful stop waits for running documents before failing them (default 60,000). */
  shutdownTimeoutMs?: number;
  now?: () => Date;
  /** The pipeline configuration documents are parsed with (default: pipelines/digest-pages.ts). */
  config?: PipelineConfig;
}

/** A running worker. */
export interface WorkerHandle {
  /** Stops taking jobs, lets running documents finish (up to the shutdown timeout), releases everything. */
  stop(): Promise<void>;
  /** Stops now: running jobs are failed back to the queue (their transactions roll back). */
  kill(): Promise<void>;
  /** Settles when the worker has stopped (with `once`: when the due jobs are done). */
  done: Promise<void>;
}

/**
 * Starts a graphile-worker pool that runs `digest_ingest` jobs, plus the liveness machinery
 * graphile-worker 0.17 lacks (see WorkerLiveness): this pool's liveness lock, and a sweep on
 * start and every `sweepIntervalMs` that unlocks the jobs of dead pools and then closes the
 * runs no job is left to finish (see closeOrphanedQueueRuns). Signals are left to
 * the caller (`noHandleSignals`): graphile-worker's own handler would re-raise the signal and
 * end the process before the database handles are closed.
 */
export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const concurrency = opts.concurrency ?? 1;
  const logger = new Logger((scope) => (level, message) => {
    if (!opts.verbose && level !== 'error' && level !== 'warning') return;
    opts.logLine(JSON.stringify({ level, source: 'graphile-worker', ...scope, msg: message }));
  });
  const liveness = new WorkerLiveness(opts.url);
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  let pool: WorkerPool | null = null;
  events.on('pool:create', ({ workerPool }) => {
    pool = workerPool;
    liveness.hold(workerPool.id).then(
      () => opts.emit({ event: 'worker-start', pool: workerPool.id, concurrency, once: Boolean(opts.once), pid: process.pid, cpuMs: cpuMs() }),
      (err: unknown) => opts.logLine(JSON.stringify({ level: 'error', msg: `liveness lock for ${workerPool.id} failed: ${(err as Error).message}` })),
    );
  });

  const options: RunnerOptions = {
    connectionString: opts.url,
    concurrency,
    maxPoolSize: concurrency + 2,
    noHandleSignals: true,
    logger,
    events,
    gracefulShutdownAbortTimeout: opts.shutdownTimeoutMs ?? 60_000,
    // An explicit empty crontab: otherwise graphile-worker reads a file named `crontab` in
    // the working folder, which belongs to the user.
    crontab: '',
    taskList: { [TASK]: makeIngestTask({ db: opts.db, liveness, emit: opts.emit, now: opts.now ?? (() => new Date()), ...(opts.config ? { config: opts.config } : {}) }) },
  };

  let timer: NodeJS.Timeout | null = null;
  const sweep = async () => {
    try {
      await liveness.heartbeat();
      const unlocked = await liveness.sweep(opts.staleAfterSeconds ?? 10);
      if (unlocked.length) opts.emit({ event: 'sweep', unlockedPools: unlocked });
      // After the unlock: a dead pool's job that was on its last attempt is only now seen as
      // out of attempts, and its run as one no job can finish.
      const closed = await closeOrphanedQueueRuns(opts.db);
      for (const run of closed) opts.emit({ event: 'run-closed', runId: run.id, status: run.status, error: run.error });
    } catch (err) {
      opts.logLine(JSON.stringify({ level: 'warning', msg: `liveness sweep failed: ${(err as Error).message}` }));
    }
  };
  const release = async () => {
    if (timer) clearInterval(timer);
    timer = null;
    await liveness.close().catch(() => {});
  };

  try {
    await runMigrations({ connectionString: opts.url, logger });
    await sweep();
  } catch (err) {
    await release();
    throw err;
  }
  timer = setInterval(() => void sweep(), opts.sweepIntervalMs ?? 10_000);
  timer.unref();

  if (opts.once) {
    const done = runOnce(options).finally(release);
    return {
      done,
      stop: async () => {
        await (pool as WorkerPool | null)?.gracefulShutdown('stop requested');
        await done.catch(() => {});
      },
      kill: async () => {
        await (pool as WorkerPool | null)?.forcefulShutdown('kill requested');
        await done.catch(() => {});
      },
    };
  }
  const runner = await run(options);
  const done = runner.promise.finally(release);
  let stopping: Promise<void> | null = null;
  return {
    done,
    stop: () => {
      stopping ??= runner.stop().then(() => done);
      return stopping;
    },
    kill: async () => {
      await runner.kill().catch(() => {});
      await done.catch(() => {});
    },
  };
}
