import { DatabaseLockedError } from '../db/lock.ts';
import { redactSecrets } from '../db/client.ts';
import { EXIT, type Io, processIo, UsageError } from './common.ts';
import { duplicatesCommand } from './duplicates.ts';
import { evalCommand } from './eval.ts';
import { exportCommand } from './export.ts';
import { ingestCommand } from './ingest.ts';
import { mergeCommand, splitCommand } from './merge.ts';
import { migrateCommand } from './migrate.ts';
import { parseCommand } from './parse.ts';

type Command = (argv: string[], io: Io) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  ingest: { run: ingestCommand, help: 'ingest [PATH…] [--dry-run] read, parse and load files (default raw/) and print a summary' },
  parse: { run: parseCommand, help: 'parse FILE…               parse without a database; print JSONL' },
  export: { run: exportCommand, help: 'export [--format jsonl|csv] print the loaded entries' },
  eval: { run: evalCommand, help: 'eval --gold G.jsonl FILE… score parsing against a gold annotation' },
  duplicates: { run: duplicatesCommand, help: 'duplicates [--run ID]     the merges, with both texts, rule and similarity' },
  merge: { run: mergeCommand, help: 'merge A B                 join item B into item A (kept on re-runs)' },
  split: { run: splitCommand, help: 'split ITEM FILE#n         take an entry out of an item (kept on re-runs)' },
  migrate: { run: migrateCommand, help: 'migrate                   apply pending database migrations' },
};

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
  try {
    return await cmd.run(rest, io);
  } catch (err) {
    const url = io.env.DATABASE_URL;
    if (err instanceof UsageError) {
      io.err(`digest ${name}: ${err.message}\nRun "digest help" for usage.\n`);
      return EXIT.usage;
    }
    if (err instanceof DatabaseLockedError) {
      io.err(`digest ${name}: ${err.message}\n`);
      return EXIT.failed;
    }
    const e = err as Error & { code?: string; cause?: unknown };
    let msg = e?.message ?? String(err);
    const cause = e?.cause as (Error & { code?: string }) | undefined;
    const code = e.code ?? cause?.code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '28P01' || code === '3D000') {
      msg = `cannot use the database server (${code}): ${cause?.message ?? msg}. Check DATABASE_URL and that the server is running.`;
    }
    io.err(`digest ${name}: ${redactSecrets(msg, url)}\n`);
    if (debug) io.err(`${redactSecrets(String(e?.stack ?? ''), url)}\n`);
    return EXIT.failed;
  }
}
