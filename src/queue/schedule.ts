import type { DbHandle } from '../db/client.ts';
import { DatabaseLockedError } from '../db/lock.ts';
import { createContext } from '../pipeline/context.ts';
import { PipelineStepFailed, runIngest } from '../pipeline/run.ts';
import type { PipelineConfig, RunResult } from '../types.ts';
import type { Schedule } from './cron.ts';
import type { InputSetLock } from './locks.ts';

/**
 * One run of the pipeline over `paths`: `digest ingest`'s own `runIngest` (parse worker
 * threads, the batched content-hash check of unchanged files, the bounded read-ahead, the
 * planner-statistics refresh), with `shouldStop` asked before each document: a stop request
 * (SIGTERM) or a lost input-set lock ends the run after the current document, as `abandoned`,
 * before the retiring step (so a partial run retires nothing). A failure of a run that was
 * started is returned as a `failed` result (its row says the same), not thrown; a failure to
 * start one (database unreachable) throws.
 */
export async function scheduledRun(
  handle: DbHandle,
  paths: string[],
  opts: { now: Date; config?: PipelineConfig; shouldStop: () => Promise<string | null>; workers?: number },
): Promise<RunResult> {
  const ctx = createContext({ now: opts.now, ...(opts.config ? { config: opts.config } : {}) });
  try {
    return await runIngest(handle, paths, ctx, () => {}, { shouldStop: opts.shouldStop, ...(opts.workers != null ? { workers: opts.workers } : {}) });
  } catch (err) {
    if (err instanceof PipelineStepFailed && err.result) return err.result;
    throw err;
  }
}

/** Options of the schedule loop. */
export interface ScheduleOptions {
  paths: string[];
  schedule: Schedule;
  /**
   * The database for one tick, and whether to close it after the tick: the server's handle is
   * kept for the process's life; the embedded database is opened per tick, so other commands
   * can use it between runs (its lock file makes a second process wait for the next tick).
   */
  open(): Promise<{ handle: DbHandle; closeAfter: boolean }>;
  /** The server's input-set lock (null on the embedded database: its lock file serves). */
  lock: InputSetLock | null;
  /** Stop after this many ticks (runs, skips and failures all count); default: never. */
  ticks?: number;
  /** Aborted on SIGINT/SIGTERM: the current document finishes, the run is abandoned. */
  signal: AbortSignal;
  /** One JSON line per tick: `{"event":"run",…}` or `{"event":"skip",…}`. */
  emit(line: Record<string, unknown>): void;
  config?: PipelineConfig;
  /** Parse worker threads per run (see IngestOptions.workers; default 0). */
  workers?: number;
  clock?: () => Date;
}

function sleepUntil(at: Date, signal: AbortSignal, clock: () => Date): Promise<void> {
  return new Promise((resolvePromise) => {
    if (signal.aborted) return resolvePromise();
    const timer = setTimeout(done, Math.max(0, at.getTime() - clock().getTime()));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolvePromise();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * `digest schedule`: waits for each tick of `schedule` and runs the pipeline over `paths`,
 * never two runs of one input set at once (the server's advisory lock; the embedded
 * database's lock file), one JSON line per tick. A failed run, or a tick that cannot reach
 * the database, is logged and the next tick runs. Returns when `signal` is aborted (after the
 * current document) or after `ticks` ticks.
 */
export async function runSchedule(opts: ScheduleOptions): Promise<{ runs: number; failed: number; skipped: number; lastStatus: string | null }> {
  const clock = opts.clock ?? (() => new Date());
  const tally = { runs: 0, failed: 0, skipped: 0, lastStatus: null as string | null };
  let ticks = 0;
  while (!opts.signal.aborted && (opts.ticks == null || ticks < opts.ticks)) {
    const at = opts.schedule.next(clock());
    await sleepUntil(at, opts.signal, clock);
    if (opts.signal.aborted) break;
    ticks++;
    const line = await tick(opts, at, clock);
    line.next = opts.ticks != null && ticks >= opts.ticks ? null : opts.schedule.next(clock()).toISOString();
    opts.emit(line);
    if (line.event === 'skip') tally.skipped++;
    else {
      tally.runs++;
      if (line.status === 'failed') tally.failed++;
    }
    tally.lastStatus = String(line.status ?? line.event);
  }
  return tally;
}

async function tick(opts: ScheduleOptions, at: Date, clock: () => Date): Promise<Record<string, unknown>> {
  const base = { tick: at.toISOString(), schedule: opts.schedule.describe, paths: opts.paths };
  let locked = false;
  let opened: { handle: DbHandle; closeAfter: boolean } | null = null;
  try {
    if (opts.lock) {
      locked = await opts.lock.tryAcquire();
      if (!locked) return { event: 'skip', ...base, reason: 'another run of this input set holds its lock', at: clock().toISOString() };
    }
    try {
      opened = await opts.open();
    } catch (err) {
      if (err instanceof DatabaseLockedError) return { event: 'skip', ...base, reason: err.message, at: clock().toISOString() };
      throw err;
    }
    const lock = opts.lock;
    const r = await scheduledRun(opened.handle, opts.paths, {
      now: clock(),
      ...(opts.config ? { config: opts.config } : {}),
      ...(opts.workers != null ? { workers: opts.workers } : {}),
      shouldStop: async () => {
        if (opts.signal.aborted) return 'stopped by a signal before the run finished; the next run picks up the rest';
        if (lock && !(await lock.held())) return 'lost the input-set lock (database session ended); stopped so that runs never overlap';
        return null;
      },
    });
    return { event: 'run', ...base, ...r };
  } catch (err) {
    return { event: 'run', ...base, runId: null, status: 'failed', error: (err as Error)?.message ?? String(err), at: clock().toISOString() };
  } finally {
    if (opened?.closeAfter) await opened.handle.close().catch(() => {});
    if (locked) await opts.lock!.release().catch(() => {});
  }
}
