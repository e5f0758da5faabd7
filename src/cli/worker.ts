import { CONFIG_FLAGS, resolveConfig } from '../config/load.ts';
import { startWorker } from '../queue/worker.ts';
import { queueNeedsServer } from '../queue/server.ts';
import { databaseTarget, DB_FLAGS, EXIT, type Io, openDb, parseFlags, positiveNumber, UsageError } from './common.ts';

/**
 * `digest worker [--concurrency N] [--once]` (server only): runs the document jobs of the
 * graphile-worker queue until SIGINT/SIGTERM (or, with --once, until no job is due). Prints one
 * JSON line per event on stdout (`worker-start`, `job-start`, `job`, `job-failed`,
 * `run-finished`, `sweep`, `worker-stop`); graphile-worker's warnings go to stderr. The first
 * signal lets running documents finish (up to --shutdown-timeout seconds, default 60) and
 * exits 0; a second one stops at once (the open transactions roll back, the jobs return to
 * the queue). Any number of workers, on any number of machines, can share one queue.
 */
export async function workerCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags(argv, {
    ...DB_FLAGS,
    ...CONFIG_FLAGS,
    concurrency: { type: 'string' },
    once: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
    'shutdown-timeout': { type: 'string' },
  });
  const target = databaseTarget(values, io);
  if (!target.url) throw new UsageError(queueNeedsServer('worker', target.describe));
  const concurrency = values.concurrency != null ? positiveNumber(values.concurrency, '--concurrency') : 1;
  const shutdownTimeoutMs = values['shutdown-timeout'] != null ? positiveNumber(values['shutdown-timeout'], '--shutdown-timeout') * 1000 : 60_000;
  const resolved = await resolveConfig({ flags: values, env: io.env, cwd: io.cwd });
  const handle = await openDb(values, io);
  const emit = (e: Record<string, unknown>) => io.out(`${JSON.stringify({ at: new Date().toISOString(), ...e })}\n`);
  let signals = 0;
  let worker: Awaited<ReturnType<typeof startWorker>> | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    emit({ event: signals === 1 ? 'worker-stopping' : 'worker-killing', signal });
    if (!worker) return;
    if (signals === 1) void worker.stop();
    else void worker.kill();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    worker = await startWorker({
      url: target.url,
      db: handle.db,
      concurrency,
      once: Boolean(values.once),
      emit,
      logLine: (line) => io.err(`${line}\n`),
      verbose: Boolean(values.verbose),
      config: resolved.config,
      shutdownTimeoutMs,
    });
    if (signals > 0) void worker.stop();
    await worker.done;
    const cpu = process.cpuUsage();
    emit({ event: 'worker-stop', pid: process.pid, cpuMs: Math.round((cpu.user + cpu.system) / 1000) });
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await handle.close();
  }
}
