import { dedupe, newDedupeState } from '../../../src/dedupe/dedupe.ts';
import { extract } from '../../../src/extract/extract.ts';
import type { RuleInput } from '../../../src/extract/rule.ts';
import { findSourceNote } from '../../../src/extract/source-note.ts';
import { detectLanguage } from '../../../src/language/language.ts';
import { createContext } from '../../../src/pipeline/context.ts';
import { checkQuality } from '../../../src/quality/quality.ts';
import { textToBlocks } from '../../../src/read/text.ts';
import { segment } from '../../../src/segment/segment.ts';
import type { Block, BlockDocument, DedupedEntry, Entry, EntryDraft, ExtractedEntry, RawDocument, RunContext } from '../../../src/types.ts';

/** The fixed reference "now" of every unit test; no test reads the clock. */
export const NOW = new Date('2024-01-01T00:00:00Z');

/** A RunContext with the default pipeline settings and the fixed `now`. */
export function testContext(): RunContext {
  return createContext({ now: NOW });
}

/** A decoded text document named `file`. */
export function textDoc(text: string, file = 'page.txt'): RawDocument {
  return { path: file, sha256: '0'.repeat(64), format: 'text', bytes: text.length, encoding: 'utf-8', text, diagnostics: [] };
}

/** A text document split into blocks, ready for `segment`. */
export function blockDoc(text: string, file = 'page.txt'): BlockDocument {
  return { doc: textDoc(text, file), blocks: textToBlocks(text), diagnostics: [] };
}

/** One block whose lines are `lines`, numbered from `firstLine`. */
export function block(lines: string[], firstLine = 1): Block {
  return { kind: 'paragraph', lines: lines.map((text, i) => ({ text, line: firstLine + i })), gapBefore: 1, links: [] };
}

/**
 * One entry cut out of `text` without the segmenter: the first line is the title, every
 * following block is body. Line numbers are those of `text`.
 */
export function draftOf(text: string, file = 'page.txt', n = 1): EntryDraft {
  const blocks = textToBlocks(text);
  const [first, ...rest] = blocks;
  if (!first) throw new Error('draftOf needs at least a title line');
  const [title, ...own] = first.lines;
  const body: Block[] = own.length ? [{ ...first, lines: own, gapBefore: 0 }, ...rest] : rest;
  const last = blocks[blocks.length - 1]!;
  return {
    file,
    n,
    title: title!.text.trim(),
    titleLine: title!.line,
    body,
    endLine: last.lines[last.lines.length - 1]!.line,
    closedBy: 'end-of-document',
    links: [],
    diagnostics: [],
  };
}

/** The rule input the field rules see for the entry in `text`. */
export function ruleInput(text: string): RuleInput {
  const draft = draftOf(text);
  const lastBlock = draft.body[draft.body.length - 1];
  return { draft, lines: draft.body.flatMap((b) => b.lines), note: lastBlock ? findSourceNote(lastBlock) : null };
}

/** `extract` over the single entry in `text`. */
export function extractText(text: string, file = 'page.txt', n = 1): ExtractedEntry {
  return extract(draftOf(text, file, n), testContext());
}

/** extract -> language -> quality over the single entry in `text` (no segmenter). */
export function entryOf(text: string, file = 'page.txt', n = 1): Entry {
  const ctx = testContext();
  const ex = extract(draftOf(text, file, n), ctx);
  const lang = detectLanguage(ex, ctx);
  return checkQuality(ex, lang.language, lang.diagnostics);
}

/** segment -> extract -> language -> quality over a whole page. */
export function parsePage(text: string, file = 'page.txt'): Entry[] {
  const ctx = testContext();
  return segment(blockDoc(text, file), ctx).entries.map((d) => {
    const ex = extract(d, ctx);
    const lang = detectLanguage(ex, ctx);
    return checkQuality(ex, lang.language, lang.diagnostics);
  });
}

/** A whole page parsed and deduped with a fresh state. */
export function dedupePage(text: string, file = 'page.txt'): DedupedEntry[] {
  return dedupe(parsePage(text, file), newDedupeState(), testContext());
}
