import { createContext } from '../pipeline/context.ts';
import { runIngest } from '../pipeline/run.ts';
import { formatSummary } from '../pipeline/summary.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags } from './common.ts';

/**
 * `digest ingest [PATH…]` (default `raw/`): every stage, then load. Prints the summary
 * (or the RunResult as JSON with --json). Exit 0 when the run finished, 1 when it failed,
 * and with --strict also 1 when any file or entry was rejected.
 */
export async function ingestCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, json: { type: 'boolean' }, strict: { type: 'boolean' }, quiet: { type: 'boolean' }, 'dry-run': { type: 'boolean' } });
  const paths = positionals.length ? positionals : ['raw'];
  const handle = await openDb(values, io);
  try {
    const ctx = createContext({ now: new Date() });
    const result = await runIngest(handle, paths, ctx, (p) => {
      if (!io.isTTY && !values.quiet && !values.json) {
        io.err(`${JSON.stringify({ event: 'document', path: p.path, status: p.status, reason: p.reason?.code })}\n`);
      }
    }, { dryRun: Boolean(values['dry-run']) });
    if (values.json) io.out(`${JSON.stringify(result)}\n`);
    else if (!values.quiet) io.out(formatSummary(result, values['dry-run'] ? `${handle.describe}; dry run: nothing was written` : handle.describe));
    if (values.strict && (result.counts.filesRejected > 0 || result.counts.entriesRejected > 0)) return EXIT.failed;
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
