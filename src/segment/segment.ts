import { diag } from '../diagnostics.ts';
import { findSourceNote, isTrailerLine, noteBlock } from '../extract/source-note.ts';
import { collapseSpace } from '../extract/space.ts';
import type { Block, BlockDocument, Diagnostic, EntryBoundary, EntryDraft, RunContext } from '../types.ts';

/** Longest line that may still be a title when it follows a closed entry after one blank line. */
const MAX_TITLE_CHARS = 300;

/**
 * Lines that continue an entry and never open one (identifiers, links, a lone parenthetical,
 * a short label before a link: "Mehr Informationen: https://…", "Download: www.…").
 */
const CONTINUATION_RE = /^(?:PMID|PMCID|doi\b|DOI\b|https?:\/\/|www\.|Epub|Free PMC|Copyright|©|\(|\p{Ll}|[\p{L}\d][\p{L}\d .'\u2019\-]{0,40}:[\s\u00a0]*(?:https?:\/\/|www\.))/u;

/** A line that ends an entry as a citation does: DOI, PMID or a Cochrane "Art. No.". */
const CITATION_END_RE = /(\bdoi(?:\.org)?[:/]?\s*10\.\d{4,9}\/\S+|\b10\.\d{4,9}\/\S+|\bPMID:?\s*\d+|\bPMCID:?\s*PMC\d+|Art\.\s*No\.?:?\s*CD\d+)/i;

/** Folds a title for comparison: NFC, case, white space (incl. U+00A0), dash and quote variants. */
export function foldTitle(title: string): string {
  const folded = title
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .replace(/[\u2018\u2019\u201a\u201b\u2032`´]/g, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '"');
  return collapseSpace(folded).trim();
}

function blockText(b: Block): string {
  return b.lines.map((l) => l.text).join('\n');
}

/**
 * A block that can be a title: one line, not too long, not a continuation (identifier, link,
 * lower-case start), and not ending in a source note (a one-line paragraph with its note is body).
 */
function titleLike(block: Block): boolean {
  if (block.lines.length !== 1) return false;
  const t = block.lines[0]!.text.trim();
  return t.length <= MAX_TITLE_CHARS && !CONTINUATION_RE.test(t) && !isTrailerLine(t) && !findSourceNote(block);
}

interface Open {
  draft: EntryDraft;
  closed: EntryBoundary | null;
  /** foldTitle(draft.title), computed once. */
  folded: string;
}

/** Why the entry is closed after `block` was added to it, or null when it stays open. */
function closesEntry(block: Block): EntryBoundary | null {
  const text = blockText(block);
  // The note may be followed by trailer lines in the same block ("Video, 35:09", a link).
  const withoutTrailers = noteBlock([block]);
  if (withoutTrailers && findSourceNote(withoutTrailers)) return 'source-note';
  const lastLine = block.lines[block.lines.length - 1]!.text;
  if (CITATION_END_RE.test(lastLine) || (block.lines.length === 1 && CITATION_END_RE.test(text))) return 'citation';
  return null;
}

/**
 * The `segment` stage: blocks to entries.
 * - Two or more blank lines (gapBefore >= 2) or a heading start a new entry.
 * - A source note "(…)" or a citation line (DOI, PMID) closes the entry; a short single line
 *   after a closed entry opens the next one even after a single blank line.
 * - A stray repeat of the current title line is an entry of its own (the dedupe stage merges it).
 * - Otherwise blocks after one blank line are body: sub-headings ("Call to Action") and the
 *   list lines under them stay in the item.
 * - Page chrome ("A- A A+") is dropped with an info diagnostic.
 */
export function segment(input: BlockDocument, ctx: RunContext): { entries: EntryDraft[]; diagnostics: Diagnostic[] } {
  const file = input.doc.path;
  const chrome = ctx.config.chrome.map((s) => new RegExp(`^(?:${s})$`, 'i'));
  const diagnostics: Diagnostic[] = [];
  const entries: EntryDraft[] = [];
  let cur: Open | null = null;

  const open = (block: Block, closed: EntryBoundary | null): Open => {
    const [first, ...rest] = block.lines;
    const draft: EntryDraft = {
      file,
      n: entries.length + 1,
      title: first!.text.trim(),
      titleLine: first!.line,
      body: rest.length ? [{ ...block, lines: rest, gapBefore: 0 }] : [],
      endLine: block.lines[block.lines.length - 1]!.line,
      closedBy: 'end-of-document',
      links: [...block.links],
      diagnostics: [],
    };
    entries.push(draft);
    return { draft, closed: closed ?? (rest.length ? closesEntry({ ...block, lines: rest }) : null), folded: foldTitle(draft.title) };
  };

  const seenTitles = new Set<string>();
  const blocks = input.blocks;
  // titleLike() of each block is asked twice (as the next block, then as the current one).
  const titleLikeAt: Array<boolean | undefined> = [];
  const isTitleLike = (k: number) => (titleLikeAt[k] ??= titleLike(blocks[k]!));
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const text = blockText(block).trim();
    if (block.lines.length === 1 && chrome.some((re) => re.test(text))) {
      diagnostics.push(diag('segment/chrome', { file, line: block.lines[0]!.line }, `Page chrome "${text}" dropped.`, { excerpt: text }));
      continue;
    }
    const firstLine = block.lines[0]!.text.trim();
    const single = block.lines.length === 1;
    let startNew = false;
    let closedNow: EntryBoundary | null = null;
    const next = blocks[i + 1];
    // A stray repeat of an earlier title, followed after one blank line by another title-like
    // line: a title-only entry of its own (the next line opens the next entry).
    const nextIsTitleLike = next !== undefined && next.gapBefore === 1 && isTitleLike(i + 1);
    const folded = single ? foldTitle(firstLine) : null;
    const repeatsEarlier = folded != null && nextIsTitleLike && seenTitles.has(folded);
    // Nothing of its own follows a repeated title line when the next block opens an entry anyway.
    const nextOpensEntry = next === undefined || next.gapBefore >= 2 || next.kind === 'heading' || nextIsTitleLike;
    if (!cur || block.gapBefore >= 2 || block.kind === 'heading') {
      startNew = true;
      if (repeatsEarlier) closedNow = 'repeated-title';
    } else if (folded != null && folded === cur.folded && (cur.draft.body.length > 0 || cur.closed)) {
      // The current title again: a stray repeated line (closed at once), or, when a body of
      // its own follows, a second entry under the same title (e.g. next year's report).
      startNew = true;
      closedNow = nextOpensEntry ? 'repeated-title' : null;
    } else if (cur.closed && isTitleLike(i)) {
      startNew = true;
    }
    if (startNew) {
      if (cur) cur.draft.closedBy = cur.closed ?? 'gap';
      cur = open(block, closedNow);
      seenTitles.add(cur.folded);
      if (closedNow) cur.draft.closedBy = closedNow;
      continue;
    }
    const c: Open = cur!;
    c.draft.body.push(block);
    c.draft.links.push(...block.links);
    c.draft.endLine = block.lines[block.lines.length - 1]!.line;
    c.closed = closesEntry(block) ?? (c.closed && block.lines.every((l) => CONTINUATION_RE.test(l.text.trim()) || isTrailerLine(l.text)) ? c.closed : null);
  }
  if (cur) cur.draft.closedBy = cur.closed ?? 'end-of-document';
  return { entries, diagnostics };
}
