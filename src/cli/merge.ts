import { CorrectionError, mergeItems, splitEntry } from '../load/overrides.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError } from './common.ts';
import { positiveInt } from './duplicates.ts';

/** `digest merge A B [--note TEXT]`: item B becomes part of item A (kept on re-runs). */
export async function mergeCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, note: { type: 'string' } });
  if (positionals.length !== 2) throw new UsageError('digest merge needs two item ids: A (kept) and B (merged into A).');
  const a = positiveInt(positionals[0], 'A');
  const b = positiveInt(positionals[1], 'B');
  const handle = await openDb(values, io);
  try {
    const r = await mergeItems(handle.db, a, b, values.note ?? null);
    io.out(`digest merge: item ${b} merged into item ${a} (${r.occurrences} occurrence(s), ${r.keys} key(s) moved). Kept on re-runs.\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CorrectionError) {
      io.err(`digest merge: ${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  } finally {
    await handle.close();
  }
}

/** `digest split ITEM ENTRY [--note TEXT]`: ENTRY (FILE#n or occurrence id) leaves ITEM. */
export async function splitCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, note: { type: 'string' } });
  if (positionals.length !== 2) throw new UsageError('digest split needs ITEM (an item id) and ENTRY (FILE#n or an occurrence id).');
  const item = positiveInt(positionals[0], 'ITEM');
  const handle = await openDb(values, io);
  try {
    const r = await splitEntry(handle.db, item, positionals[1]!, values.note ?? null);
    io.out(`digest split: ${positionals[1]} is now item ${r.newItemId} (${r.occurrences} occurrence(s) moved from item ${item}). Kept on re-runs.\n`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CorrectionError) {
      io.err(`digest split: ${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  } finally {
    await handle.close();
  }
}
