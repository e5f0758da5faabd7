import { EXIT, type Io, processIo } from './common.ts';
import { describeFailure, describeUncaught } from './errors.ts';

type Command = (argv: string[], io: Io) => Promise<number>;

/**
 * A command whose module is imported only when it runs: a start then loads what that command
 * needs (`digest runs` does not load the parser, the queue or the report renderer).
 */
function lazy<K extends string>(load: () => Promise<Record<K, Command>>, name: K): Command {
  return async (argv, io) => (await load())[name](argv, io);
}

const COMMANDS: Record<string, { run: Command; help: string }> = {
  ingest: { run: lazy(() => import('./ingest.ts'), 'ingestCommand'), help: 'ingest [PATH…] [--dry-run] [--workers N] read, parse and load files (default raw/) and print a summary; --quiet, --verbose' },
  parse: { run: lazy(() => import('./parse.ts'), 'parseCommand'), help: 'parse FILE…               parse without a database; print JSONL' },
  export: { run: lazy(() => import('./export.ts'), 'exportCommand'), help: 'export [--format jsonl|csv] print the loaded entries' },
  eval: { run: lazy(() => import('./eval.ts'), 'evalCommand'), help: 'eval --gold G.jsonl FILE… score parsing against a gold annotation' },
  duplicates: { run: lazy(() => import('./duplicates.ts'), 'duplicatesCommand'), help: 'duplicates [--run ID]     the merges, with both texts, rule and similarity' },
  merge: { run: lazy(() => import('./merge.ts'), 'mergeCommand'), help: 'merge A B                 join item B into item A (kept on re-runs)' },
  split: { run: lazy(() => import('./merge.ts'), 'splitCommand'), help: 'split ITEM FILE#n         take an entry out of an item (kept on re-runs)' },
  report: { run: lazy(() => import('./report.ts'), 'reportCommand'), help: 'report [--run ID|--since DATE] [--format text|md|json|html] [--out FILE] [--strict] [--min-coverage F=S,…] [--max-errors N] quality report of a run' },
  migrate: { run: lazy(() => import('./migrate.ts'), 'migrateCommand'), help: 'migrate                   apply pending database migrations' },
  verify: { run: lazy(() => import('./verify.ts'), 'verifyCommand'), help: 'verify [--json]           check the database invariants (accounting, references, keys, runs); exit 1 with a list' },
  runs: { run: lazy(() => import('./runs.ts'), 'runsCommand'), help: 'runs [--limit N] | runs show ID  recent runs with status, duration, counts; one run in detail' },
  explain: { run: lazy(() => import('./explain.ts'), 'explainCommand'), help: 'explain ENTRY_ID | FILE#n every field with its span and rule, the diagnostics, and why it was merged' },
  replay: { run: lazy(() => import('./replay.ts'), 'replayCommand'), help: 'replay [--reason CODE]    re-run rejected entries through the current parser; report what was recovered' },
  config: { run: lazy(() => import('./config.ts'), 'configCommand'), help: 'config [--pipeline FILE]  the effective configuration and where each value came from' },
  studio: { run: lazy(() => import('./studio.ts'), 'studioCommand'), help: 'studio [--port N] [--print] open Drizzle Studio on the configured database' },
  sql: { run: lazy(() => import('./sql.ts'), 'sqlCommand'), help: 'sql "select …" [--json]   one read-only query against the configured database' },
  schedule: { run: lazy(() => import('./schedule.ts'), 'scheduleCommand'), help: 'schedule [--cron EXPR|--every 30s] [--workers N] [PATH…] run the pipeline on a schedule (long-running; one JSON line per run)' },
  enqueue: { run: lazy(() => import('./enqueue.ts'), 'enqueueCommand'), help: 'enqueue [PATH…]           queue one job per file for digest worker (server only)' },
  worker: { run: lazy(() => import('./worker.ts'), 'workerCommand'), help: 'worker [--concurrency N] [--once] run queued jobs (server only; any number of processes)' },
};

/** Commands that take the pipeline settings (see `digest config`). */
const PIPELINE_COMMANDS = new Set(['ingest', 'replay', 'config']);

/** `digest NAME --help`: the command's line, and the options every command of its kind takes. */
function commandHelp(name: string, help: string): string {
  const lines = [`usage: digest ${help}`, ''];
  if (PIPELINE_COMMANDS.has(name)) {
    lines.push(
      'pipeline: --pipeline FILE (or DIGEST_PIPELINE; default pipelines/digest-pages.ts), and per setting',
      '          --languages, --language-min-length, --language-max-chars, --language-margin, --chrome,',
      '          --near-duplicate-threshold, --schedule, --max-entry-chars, --max-file-bytes,',
      '          --lock-timeout-seconds',
      '          (or DIGEST_LANGUAGES, DIGEST_MAX_ENTRY_CHARS, …); "digest config" shows the result.',
    );
  }
  if (name === 'ingest' || name === 'replay') lines.push('output:   --quiet (errors only), --verbose (debug lines), --json (the result as JSON)');
  lines.push('database: --db DIR|URL (else DATABASE_URL, DIGEST_DB_DIR, .digest/pglite); --debug adds stack traces.', '');
  return lines.join('\n');
}

/** The usage text. */
export function usage(): string {
  return [
    'usage: digest <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  ${c.help}`),
    '',
    'database: embedded PGlite in .digest/pglite by default; --db DIR or DIGEST_DB_DIR to move it;',
    '          DATABASE_URL=postgres://… for a PostgreSQL server. --debug shows stack traces.',
    '',
  ].join('\n');
}

/**
 * Makes an exception that no caller can catch (one thrown from a driver's timer) end the
 * process like any failure: one sentence on stderr (the stack only with --debug), exit 1.
 */
export function exitOnUncaught(argv: string[]): void {
  const name = argv.find((a) => !a.startsWith('-')) ?? 'digest';
  process.on('uncaughtException', (err) => {
    const { text } = describeUncaught(err, name, process.env, argv.includes('--debug'));
    process.stderr.write(text);
    process.exit(EXIT.failed);
  });
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code:
 * 0 ok, 1 failed, 2 usage error. Errors print one readable sentence; --debug adds the stack.
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  const [name, ...rest] = args;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.out(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    io.err(`digest: unknown command "${name}".\n\n${usage()}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(name, cmd.help));
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    const { text, code } = describeFailure(err, name, io.env, debug);
    io.err(text);
    return code;
  }
}
