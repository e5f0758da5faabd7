import { buildReport } from '../report/build.ts';
import { CONFIG_FLAGS, resolveConfig } from '../config/load.ts';
import { createReporter } from '../log/reporter.ts';
import { createContext } from '../pipeline/context.ts';
import { runIngest } from '../pipeline/run.ts';
import { formatSummary } from '../pipeline/summary.ts';
import { listInputs } from '../read/files.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UserError, VERBOSITY_FLAGS, verbosityOf } from './common.ts';
import { workersOf } from './workers.ts';

/**
 * `digest ingest [PATH…]` (default `raw/`): every stage, then load. Prints the summary on stdout
 * (or the RunResult as JSON with --json). While it runs: a progress bar on a terminal, JSON log
 * lines on stderr otherwise (`--quiet`: errors only, `--verbose`: debug lines). A path named on
 * the command line that does not exist stops it before anything is written (exit 1).
 * Exit 0 when the run finished, 1 when it failed, and with --strict also 1 when a check of
 * `digest report --strict` fails on the run (rejected files or entries, accounting, coverage).
 */
export async function ingestCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    ...DB_FLAGS,
    ...CONFIG_FLAGS,
    ...VERBOSITY_FLAGS,
    json: { type: 'boolean' },
    strict: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    workers: { type: 'string' },
  });
  const verbosity = verbosityOf(values);
  const workers = workersOf(values.workers, io.env);
  const resolved = await resolveConfig({ flags: values, env: io.env, cwd: io.cwd });
  const paths = positionals.length ? positionals : ['raw'];
  const inputs = await listInputs(paths);
  const missing = inputs.flatMap((i) => ('rejected' in i && i.rejected.reason.code === 'read/not-found' && paths.includes(i.rejected.path) ? [i.rejected.path] : []));
  if (missing.length) {
    const what = missing.map((p) => `"${p}"`).join(', ');
    throw new UserError(
      positionals.length
        ? `${what} ${missing.length === 1 ? 'does' : 'do'} not exist; check the path (nothing was read or written).`
        : `there is no raw/ folder in ${io.cwd}; run digest in the folder that holds raw/, or name the files: digest ingest PATH…`,
    );
  }
  const handle = await openDb(values, io);
  const reporter = createReporter(io, 'ingest', verbosity);
  try {
    const ctx = createContext({ now: new Date(), config: resolved.config, log: reporter.log });
    reporter.start({ totalFiles: inputs.length, paths, pipeline: resolved.pipeline.file, database: handle.describe });
    let result;
    try {
      result = await runIngest(handle, paths, ctx, (p) => reporter.document(p), { dryRun: Boolean(values['dry-run']), workers });
    } catch (err) {
      reporter.fail(err);
      throw err;
    }
    reporter.finish(result);
    if (values.json) io.out(`${JSON.stringify(result)}\n`);
    else if (verbosity !== 'quiet') io.out(formatSummary(result, values['dry-run'] ? `${handle.describe}; dry run: nothing was written` : handle.describe));
    if (values.strict && !values['dry-run']) {
      // The same checks as `digest report --strict` (default thresholds) on the run just made.
      const report = await buildReport(handle.db, { runId: result.runId, now: new Date(), database: handle.describe });
      const failed = report.checks.filter((c) => !c.ok);
      if (failed.length) {
        io.err(`digest ingest --strict: ${failed.length} of ${report.checks.length} checks failed:\n${failed.map((c) => `  ${c.name}: ${c.detail}\n`).join('')}`);
        return EXIT.failed;
      }
    }
    return EXIT.ok;
  } finally {
    reporter.close();
    await handle.close();
  }
}
