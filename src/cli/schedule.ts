import { CONFIG_FLAGS, resolveConfig } from '../config/load.ts';
import { cronSchedule, everySchedule, type Schedule } from '../queue/cron.ts';
import { InputSetLock } from '../queue/locks.ts';
import { runSchedule } from '../queue/schedule.ts';
import { databaseTarget, DB_FLAGS, EXIT, type Io, openDb, parseFlags, positiveNumber, UsageError } from './common.ts';
import { workersOf } from './workers.ts';

/** The schedule from the flags, else from the pipeline configuration; contradictions are usage errors. */
function chooseSchedule(values: { cron?: string | undefined; every?: string | undefined; schedule?: string | undefined }, fromConfig: string | null): Schedule {
  const given = [values.cron != null && '--cron', values.every != null && '--every', values.schedule != null && '--schedule'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} contradict each other; give one schedule`);
  try {
    if (values.every != null) return everySchedule(values.every);
    const expr = values.cron ?? fromConfig;
    if (expr == null) throw new UsageError('no schedule: give --cron "EXPR" (e.g. --cron "*/15 * * * *") or --every 30s, or set `schedule` in the pipeline file');
    return cronSchedule(expr);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message);
  }
}

/**
 * `digest schedule [--cron EXPR | --every DURATION] [--ticks N] [--workers N] [PATH…]` (default `raw/`): a
 * long-running process that runs the pipeline over the paths on each tick (cron in UTC, from
 * the flag or the pipeline's `schedule`), loading new and changed files only. Two runs of the
 * same input set never overlap: on the server a tick takes an advisory lock held by a session
 * for the run (a tick that finds it taken is skipped); on the embedded database the data
 * folder's lock file does the same. One JSON line per tick on stdout; a failed run is logged
 * and the next tick runs. SIGINT/SIGTERM: the current document finishes, the run is recorded
 * as abandoned, exit 0 (a second signal exits at once; the open transaction rolls back).
 * Each run is `digest ingest`'s: parse worker threads from `--workers N` / DIGEST_WORKERS as
 * there (default one per core beyond the first; a run with fewer than 4 changed files parses in
 * the main thread).
 */
export async function scheduleCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, ...CONFIG_FLAGS, cron: { type: 'string' }, every: { type: 'string' }, ticks: { type: 'string' }, workers: { type: 'string' } });
  const workers = workersOf(values.workers, io.env);
  const resolved = await resolveConfig({ flags: values, env: io.env, cwd: io.cwd });
  const schedule = chooseSchedule(values, values.schedule != null ? null : resolved.config.schedule);
  const ticks = values.ticks != null ? positiveNumber(values.ticks, '--ticks') : undefined;
  const paths = positionals.length ? positionals : ['raw'];
  const target = databaseTarget(values, io);
  const emit = (line: Record<string, unknown>) => io.out(`${JSON.stringify(line)}\n`);
  const note = (line: Record<string, unknown>) => io.err(`${JSON.stringify({ at: new Date().toISOString(), ...line })}\n`);

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      note({ event: 'schedule-stopping', signal, msg: 'finishing the current document; a second signal stops at once' });
      controller.abort();
    } else {
      note({ event: 'schedule-killed', signal });
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  // The server is opened once (and checked now); the embedded database on each tick.
  const server = target.url ? await openDb(values, io) : null;
  const lock = target.url ? new InputSetLock(target.url, paths) : null;
  try {
    note({ event: 'schedule-start', schedule: schedule.describe, paths, database: target.describe, next: schedule.next(new Date()).toISOString(), pid: process.pid });
    const tally = await runSchedule({
      paths,
      schedule,
      open: async () => (server ? { handle: server, closeAfter: false } : { handle: await openDb(values, io), closeAfter: true }),
      lock,
      ...(ticks != null ? { ticks } : {}),
      signal: controller.signal,
      emit,
      config: resolved.config,
      workers,
    });
    note({ event: 'schedule-stop', ...tally });
    return ticks != null && tally.lastStatus === 'failed' ? EXIT.failed : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lock?.close().catch(() => {});
    await server?.close().catch(() => {});
  }
}
