import { exportEntries, type ExportRecord } from '../load/queries.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError } from './common.ts';

const CSV_COLUMNS: (keyof ExportRecord)[] = ['id', 'file', 'n', 'title', 'body', 'source', 'country', 'date', 'datePrecision', 'dateFlag', 'doi', 'pmid', 'pmcid', 'language', 'duplicateOf', 'issues'];

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(v: unknown): string {
  const s = v == null ? '' : Array.isArray(v) ? v.join(';') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `digest export [--format jsonl|csv]`: the loaded items. */
export async function exportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, format: { type: 'string', default: 'jsonl' } });
  if (positionals.length) throw new UsageError(`digest export takes no paths (got ${positionals.join(' ')}).`);
  if (values.format !== 'jsonl' && values.format !== 'csv') throw new UsageError(`--format must be jsonl or csv, not "${values.format}".`);
  const handle = await openDb(values, io);
  try {
    const rows = await exportEntries(handle.db);
    if (values.format === 'jsonl') for (const r of rows) io.out(`${JSON.stringify(r)}\n`);
    else {
      io.out(`${CSV_COLUMNS.join(',')}\n`);
      for (const r of rows) io.out(`${CSV_COLUMNS.map((c) => csvField(r[c])).join(',')}\n`);
    }
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
