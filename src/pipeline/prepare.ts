import { newDedupeState } from '../dedupe/dedupe.ts';
import { readInput } from '../read/files.ts';
import type { DedupedEntry, Diagnostic, RawDocument, RejectedDocument, RunContext } from '../types.ts';
import { parseAndDedupe } from './parse.ts';

/** One input to prepare for loading. */
export interface PrepareJob {
  path: string;
}

/**
 * A document ready for the loader, computed without a database: `unreadable` (a rejection with
 * its reason) or `parsed` (read, parsed and deduped within the document). `doc.text` is left
 * out (the loader never reads it; it would only be copied between threads).
 */
export type Prepared =
  | { kind: 'unreadable'; path: string; rejected: RejectedDocument }
  | { kind: 'parsed'; path: string; doc: RawDocument; diagnostics: Diagnostic[]; entries: DedupedEntry[]; parseMs: number };

/**
 * Reads, parses and dedupes (within the document) one input: the CPU half of ingesting it, the
 * same in the main thread and in a parse worker. Never throws for bad content.
 * `noFuzzy`: natural keys a person split off (matched exactly only).
 */
export async function prepareDocument(job: PrepareJob, ctx: RunContext, noFuzzy: ReadonlySet<string>): Promise<Prepared> {
  const t0 = Date.now();
  const read = await readInput(job.path, ctx.config.maxFileBytes);
  if (!read.ok) return { kind: 'unreadable', path: job.path, rejected: read.rejected };
  return parseRead(read.doc, ctx, noFuzzy, t0);
}

/** Parses and dedupes a decoded document (the part of `prepareDocument` after reading). */
export function parseRead(doc: RawDocument, ctx: RunContext, noFuzzy: ReadonlySet<string>, startedMs: number): Prepared {
  const { parsed, entries } = parseAndDedupe(doc, ctx, newDedupeState(noFuzzy));
  return { kind: 'parsed', path: doc.path, doc: { ...doc, text: '' }, diagnostics: parsed.diagnostics, entries, parseMs: Date.now() - startedMs };
}
