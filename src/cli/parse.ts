import { newDedupeState } from '../dedupe/dedupe.ts';
import { formatDiagnostic } from '../diagnostics.ts';
import { createContext } from '../pipeline/context.ts';
import { parseAndDedupe, toRecord } from '../pipeline/parse.ts';
import { listInputs, readInput } from '../read/files.ts';
import type { EntryRecord, PipelineConfig } from '../types.ts';
import { CONFIG_FLAGS, resolveConfig } from '../config/load.ts';
import { EXIT, type Io, parseFlags, UsageError } from './common.ts';

/** Parses files to records (every stage up to dedupe, no database). Unreadable files go to `problems`. */
export async function parseFiles(paths: string[], now: Date, config?: PipelineConfig): Promise<{ records: EntryRecord[]; problems: string[] }> {
  const ctx = createContext({ now, ...(config ? { config } : {}) });
  const state = newDedupeState();
  const records: EntryRecord[] = [];
  const problems: string[] = [];
  for (const item of await listInputs(paths)) {
    if ('rejected' in item) {
      problems.push(formatDiagnostic(item.rejected.reason));
      continue;
    }
    const read = await readInput(item.path, ctx.config.maxFileBytes);
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
  const { values, positionals } = parseFlags(argv, { ...CONFIG_FLAGS });
  if (!positionals.length) throw new UsageError('digest parse needs at least one FILE or folder.');
  // The same validated settings as `digest ingest` (pipeline file < environment < flags).
  const resolved = await resolveConfig({ flags: values, env: io.env, cwd: io.cwd });
  const { records, problems } = await parseFiles(positionals, new Date(), resolved.config);
  for (const r of records) io.out(`${JSON.stringify(r)}\n`);
  for (const p of problems) io.err(`${p}\n`);
  return problems.length && !records.length ? EXIT.failed : EXIT.ok;
}
