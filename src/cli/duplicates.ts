import { excerpt } from '../diagnostics.ts';
import { listMerges } from '../load/overrides.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError } from './common.ts';

/** Parses a positive integer flag or argument, or throws a UsageError naming it. */
export function positiveInt(value: string | undefined, name: string): number {
  if (value == null || !/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${name} must be a positive whole number, not "${value ?? ''}".`);
  return Number(value);
}

/** `digest duplicates [--run ID] [--json]`: every merge with both texts, rule and similarity. */
export async function duplicatesCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, run: { type: 'string' }, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`digest duplicates takes no arguments (got ${positionals.join(' ')}).`);
  const runId = values.run != null ? positiveInt(values.run, '--run') : undefined;
  const handle = await openDb(values, io);
  try {
    const rows = await listMerges(handle.db, runId);
    if (values.json) {
      for (const r of rows) io.out(`${JSON.stringify(r)}\n`);
      return EXIT.ok;
    }
    io.out(`${rows.length} merge${rows.length === 1 ? '' : 's'}${runId != null ? ` in run ${runId}` : ''}\n`);
    for (const r of rows) {
      const sim = r.similarity != null ? ` similarity ${r.similarity.toFixed(3)}` : '';
      io.out(`\n${r.file}#${r.n} -> item ${r.itemId} (${r.rule}${sim}, run ${r.runId}, occurrence ${r.occurrenceId})\n`);
      io.out(`  entry: ${excerpt(r.entryTitle, 90)}\n`);
      if (r.entryBody) io.out(`         ${excerpt(r.entryBody, 90)}\n`);
      io.out(`  item:  ${excerpt(r.itemTitle, 90)}${r.itemFile ? `  [${r.itemFile}#${r.itemN}]` : ''}\n`);
      if (r.itemBody) io.out(`         ${excerpt(r.itemBody, 90)}\n`);
    }
    if (rows.length) io.out(`\nWrong? digest split ITEM FILE#n puts an entry back on its own; digest merge A B joins two items.\n`);
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
