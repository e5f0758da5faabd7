import { Logger, runMigrations } from 'graphile-worker';
import { CONFIG_FLAGS, resolveConfig } from '../config/load.ts';
import { enqueueInputs } from '../queue/enqueue.ts';
import { queueNeedsServer } from '../queue/server.ts';
import { databaseTarget, DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError } from './common.ts';

/** graphile-worker's messages: warnings and errors only, as JSON lines on stderr. */
export function workerLogger(io: Io, verbose = false): Logger {
  return new Logger((scope) => (level, message) => {
    if (!verbose && level !== 'error' && level !== 'warning') return;
    io.err(`${JSON.stringify({ level, source: 'graphile-worker', ...scope, msg: message })}\n`);
  });
}

/**
 * `digest enqueue [PATH…]` (default `raw/`; server only): creates a run and adds one job per
 * input file to the graphile-worker queue (job key = path + sha256, so enqueueing the same
 * content again adds nothing while its job waits or runs). Unreadable inputs are recorded as
 * rejections of the run, unchanged ones as unchanged; `digest worker` processes the rest.
 * Prints one line (or the result as JSON with --json). Exit 0; 2 on the embedded database.
 */
export async function enqueueCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, ...CONFIG_FLAGS, json: { type: 'boolean' } });
  const target = databaseTarget(values, io);
  if (!target.url) throw new UsageError(queueNeedsServer('enqueue', target.describe));
  const resolved = await resolveConfig({ flags: values, env: io.env, cwd: io.cwd });
  const paths = positionals.length ? positionals : ['raw'];
  const handle = await openDb(values, io);
  try {
    await runMigrations({ connectionString: target.url, logger: workerLogger(io) });
    const r = await enqueueInputs(handle.db, paths, { pipeline: resolved.config.name });
    if (values.json) {
      io.out(`${JSON.stringify(r)}\n`);
      return EXIT.ok;
    }
    const byRun = new Map<number, number>();
    for (const a of r.alreadyQueued) byRun.set(a.runId, (byRun.get(a.runId) ?? 0) + 1);
    const already = [...byRun].map(([run, n]) => `${n} in run ${run}`).join(', ');
    const parts = [`${r.queued} job${r.queued === 1 ? '' : 's'} queued`];
    if (r.alreadyQueued.length) parts.push(`${r.alreadyQueued.length} already queued (${already})`);
    parts.push(`${r.unchanged} unchanged`, `${r.rejected} rejected`);
    if (r.runId == null) {
      io.out(`digest enqueue: nothing new: ${r.inputs} input${r.inputs === 1 ? '' : 's'}, ${parts.join(', ')}; no run was created (${handle.describe})\n`);
    } else {
      const next = r.finished ? 'the run finished: nothing for a worker to do' : 'start workers with: digest worker';
      io.out(`digest enqueue: run ${r.runId}: ${r.inputs} input${r.inputs === 1 ? '' : 's'}, ${parts.join(', ')}; ${next} (${handle.describe})\n`);
    }
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
