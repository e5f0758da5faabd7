import { formatVerifyReport, verifyDatabase } from '../verify/verify.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError } from './common.ts';

/**
 * `digest verify [--db DIR|URL] [--json]`: checks the database's invariants (run accounting,
 * occurrence references, unique live keys, stale runs, one latest version per path, nothing
 * read lost). Exit 0 and "verify: N checks passed" when all hold; exit 1 with one line per
 * problem otherwise. Read-only (pending migrations are applied first, as by every command).
 */
export async function verifyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`digest verify takes no arguments (got ${positionals.join(' ')})`);
  const handle = await openDb(values, io);
  try {
    const report = await verifyDatabase(handle.db);
    if (values.json) io.out(`${JSON.stringify(report)}\n`);
    else io.out(formatVerifyReport(report, handle.describe));
    return report.ok ? EXIT.ok : EXIT.failed;
  } finally {
    await handle.close();
  }
}
