import { dedupe, type DedupeState } from '../dedupe/dedupe.ts';
import { extract } from '../extract/extract.ts';
import { detectLanguage, type LanguageMemo } from '../language/language.ts';
import { checkQuality } from '../quality/quality.ts';
import { toBlocks } from '../read/blocks.ts';
import { segment } from '../segment/segment.ts';
import { diag } from '../diagnostics.ts';
import type { DedupedEntry, Diagnostic, Entry, EntryDraft, EntryRecord, RawDocument, RunContext } from '../types.ts';

/** A document parsed up to (not including) dedupe. */
export interface ParsedDocument {
  doc: RawDocument;
  entries: Entry[];
  /** Document-level diagnostics (reading, chrome, segmentation). */
  diagnostics: Diagnostic[];
}

/**
 * Runs blocks -> segment -> extract -> language -> quality on one decoded document.
 * Pure apart from the context; never throws for content problems.
 */
export function parseDocument(doc: RawDocument, ctx: RunContext): ParsedDocument {
  const blocks = toBlocks(doc);
  const seg = segment(blocks, ctx);
  const diagnostics = [...doc.diagnostics, ...blocks.diagnostics, ...seg.diagnostics];
  if (seg.entries.length === 0) {
    diagnostics.push(diag('segment/no-entries', { file: doc.path }, `${doc.path} holds text but no entry could be cut out of it.`));
  }
  // Exact repeats within the document get their language from the first one (no second franc).
  const memo: LanguageMemo = new Map();
  const entries = seg.entries.map((draft) => parseDraft(draft, ctx, memo));
  return { doc, entries, diagnostics };
}

/**
 * Runs extract -> language -> quality on one segmented entry (what `digest replay` re-runs on a
 * quarantined entry). `ctx.config.maxEntryChars` bounds the entry's size. `memo`: language
 * answers already given in this document.
 */
export function parseDraft(draft: EntryDraft, ctx: RunContext, memo?: LanguageMemo): Entry {
  const ex = extract(draft, ctx);
  const lang = detectLanguage(ex, ctx, memo);
  return checkQuality(ex, lang.language, lang.diagnostics, ctx.config.maxEntryChars);
}

/** Parses and dedupes one document against the run's dedupe state. */
export function parseAndDedupe(doc: RawDocument, ctx: RunContext, state: DedupeState): { parsed: ParsedDocument; entries: DedupedEntry[] } {
  const parsed = parseDocument(doc, ctx);
  return { parsed, entries: dedupe(parsed.entries, state, ctx) };
}

/** The JSONL record of `digest parse` (DESIGN.md contract), keys in contract order. */
export function toRecord(e: DedupedEntry): EntryRecord {
  return {
    file: e.file,
    n: e.n,
    title: e.title,
    body: e.body,
    source: e.source,
    country: e.country,
    date: e.date,
    datePrecision: e.datePrecision,
    dateFlag: e.dateFlag,
    doi: e.doi,
    pmid: e.pmid,
    pmcid: e.pmcid,
    language: e.language,
    duplicateOf: e.duplicateOf,
    issues: [...new Set(e.diagnostics.map((d) => d.code))],
  };
}
