import type { DbHandle } from '../db/client.ts';
import { DatabaseLockedError } from '../db/lock.ts';
import { addCounts, finishRun, retireAndFinish, zeroCounts } from '../load/load.ts';
import { startOwnedRun } from '../load/run-owner.ts';
import { splitKeys } from '../load/overrides.ts';
import { createContext } from '../pipeline/context.ts';
import { ingestDocument, PipelineStepFailed, rejectInput } from '../pipeline/run.ts';
import { listInputs } from '../read/files.ts';
import type { PipelineConfig, RunCounts, RunResult } from '../types.ts';
import type { Schedule } from './cron.ts';
import type { InputSetLock } from './locks.ts';
import { abandonRun } from './runs.ts';

/** A scheduled run's outcome: a RunResult, or a run stopped before its last document. */
export type ScheduledRunResult = Omit<RunResult, 'status'> & { status: RunResult['status'] | 'abandoned' };

/**
 * One run of the pipeline over `paths`, as `digest ingest` does it (new and changed files
 * parsed and loaded, one transaction each; unchanged ones skipped unparsed), except that it
 * checks `shouldStop` before each document: a stop request (SIGTERM) or a lost input-set lock
 * ends the run after the current document, as `abandoned`, before the retiring step (so a
 * partial run retires nothing). A failure is returned as a `failed` result, not thrown.
 */
export async function scheduledRun(
  handle: DbHandle,
  paths: string[],
  opts: { now: Date; config?: PipelineConfig; shouldStop: () => Promise<string | null> },
): Promise<ScheduledRunResult> {
  const { db } = handle;
  const started = Date.now();
  const ctx = createContext({ now: opts.now, ...(opts.config ? { config: opts.config } : {}) });
  const owned = await startOwnedRun(handle, ctx.config.name, paths);
  const { runId } = owned;
  let counts: RunCounts = zeroCounts();
  const issues: Record<string, number> = {};
  const rejections: RunResult['rejections'] = [];
  const result = (status: ScheduledRunResult['status'], error: string | null): ScheduledRunResult => {
    const finished = Date.now();
    return { runId, status, startedAt: new Date(started).toISOString(), finishedAt: new Date(finished).toISOString(), durationMs: finished - started, counts, issues, rejections, error };
  };
  let current: string | null = null;
  try {
    const noFuzzy = await splitKeys(db);
    for (const item of await listInputs(paths)) {
      const stop = await opts.shouldStop();
      if (stop) {
        await abandonRun(db, runId, stop);
        return result('abandoned', stop);
      }
      current = 'rejected' in item ? item.rejected.path : item.path;
      const out = 'rejected' in item ? await rejectInput(db, runId, item.rejected) : await ingestDocument(db, runId, item.path, ctx, noFuzzy);
      counts = addCounts(counts, out.counts);
      for (const d of out.diagnostics) issues[d.code] = (issues[d.code] ?? 0) + 1;
      rejections.push(...out.rejections);
    }
    current = null;
    await retireAndFinish(db, runId);
    return result('finished', null);
  } catch (err) {
    const wrapped = new PipelineStepFailed('load', runId, current, err);
    await finishRun(db, runId, 'failed', wrapped.message).catch(() => {});
    return result('failed', wrapped.message);
  } finally {
    await owned.release().catch(() => {});
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
