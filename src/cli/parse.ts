import { newDedupeState } from '../dedupe/dedupe.ts';
import { formatDiagnostic } from '../diagnostics.ts';
import { createContext } from '../pipeline/context.ts';
import { parseAndDedupe, toRecord } from '../pipeline/parse.ts';
import { listInputs, readInput } from '../read/files.ts';
import type { EntryRecord } from '../types.ts';
import { EXIT, type Io, parseFlags, UsageError } from './common.ts';

/** Parses files to records (every stage up to dedupe, no database). Unreadable files go to `problems`. */
export async function parseFiles(paths: string[], now: Date): Promise<{ records: EntryRecord[]; problems: string[] }> {
  const ctx = createContext({ now });
  const state = newDedupeState();
  const records: EntryRecord[] = [];
  const problems: string[] = [];
  for (const item of await listInputs(paths)) {
    if ('rejected' in item) {
      problems.push(formatDiagnostic(item.rejected.reason));
      continue;
    }
    const read = await readInput(item.path);
    if (!read.ok) {
      problems.push(formatDiagnostic(read.rejected.reason));
      continue;
    }
    const { parsed, entries } = parseAndDedupe(read.doc, ctx, state);
    for (const d of parsed.diagnostics) if (d.severity === 'error') problems.push(formatDiagnostic(d));
    records.push(...entries.map(toRecord));
  }
  return { records, problems };
}

/** `digest parse FILE…`: prints one JSON object per entry (JSONL); problems go to stderr. */
export async function parseCommand(argv: string[], io: Io): Promise<number> {
  const { positionals } = parseFlags(argv, {});
  if (!positionals.length) throw new UsageError('digest parse needs at least one FILE or folder.');
  const { records, problems } = await parseFiles(positionals, new Date());
  for (const r of records) io.out(`${JSON.stringify(r)}\n`);
  for (const p of problems) io.err(`${p}\n`);
  return problems.length && !records.length ? EXIT.failed : EXIT.ok;
}
