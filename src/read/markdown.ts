import type { Nodes, PhrasingContent, Root, RootContent } from 'mdast';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Block, Diagnostic, Line } from '../types.ts';
import { htmlToBlocks, safeHref } from './html.ts';
import { textToBlocks } from './text.ts';

/** What the Markdown reader returns. */
export interface MarkdownReadResult {
  blocks: Block[];
  /** `read/markdown-as-text` / `read/markdown-unparseable` where a piece was read as plain text. */
  diagnostics: Diagnostic[];
}

const parser = unified().use(remarkParse);

/** A source line that separates blocks: empty, white space (U+00A0 included) or a bare `>`. */
const BLANKISH = /^[\s>]*$/;

/**
 * Markdown to blocks (unified + remark-parse). Paragraphs become paragraph blocks whose soft
 * line breaks keep their source lines; headings become heading blocks; the first paragraph of
 * a list item becomes a list-item block. Links keep their URL in `links` (http(s), mailto or
 * relative only) and their text in the text; emphasis, strong and inline code become plain
 * text; backslash escapes and entities are resolved; every other character is kept as
 * written (U+00A0, typographic quotes). Thematic breaks, images and definitions are dropped;
 * raw HTML blocks go through the HTML reader so their text is kept. `gapBefore` is the number
 * of blank source lines since the previous block; a heading, the first block and the block
 * after a thematic break get at least 2.
 */
export function markdownToBlocks(text: string): Block[] {
  return readMarkdown(text).blocks;
}

/** Markdown is parsed in pieces of about this many characters, cut at blank lines. */
export const MARKDOWN_CHUNK_CHARS = 64 * 1024;
/** A run of lines without a blank line longer than this is read as plain text. */
export const MARKDOWN_RUN_MAX_CHARS = 64 * 1024;
/** A run with more emphasis/link/code marks than this is read as plain text. */
export const MARKDOWN_RUN_MAX_MARKS = 2_000;
/** A line whose container prefix (`>`, list markers) is longer than this is too deep. */
const MAX_CONTAINER_PREFIX = 200;

/** Lines `[from, to)` (0-based) of the source, parsed as Markdown or, with a reason, read as text. */
interface Piece {
  from: number;
  to: number;
  asText: string | null;
}

const BLANK_LINE = /^[ \t]*$/;
const FENCE_OPEN = /^[ \t>]*(?:(?:[*+-]|\d{1,9}[.)])[ \t]+)?[ \t]{0,3}(`{3,}|~{3,})(.*)$/;
const CONTAINER_PREFIX = /^(?:[ \t]*(?:>|[*+-]|\d{1,9}[.)])(?=[ \t]|$))+/;
const MARKS = /[*_`[\]<]/g;
const HTML_RAW_OPEN = /^[ \t>]*<(script|pre|style|textarea)(?:[\s>]|$)|^[ \t>]*<!--/i;

/**
 * Cuts the source into pieces remark can parse in bounded time and memory: a piece ends at a
 * blank line once it holds {@link MARKDOWN_CHUNK_CHARS} (never inside a fenced code block or a
 * raw `<script>`/`<pre>`/`<style>`/comment block, unless that runs on for four pieces'
 * worth). A run of lines between blank lines that is too long, holds too many inline marks
 * or nests containers too deeply (remark is quadratic on those) becomes a piece of its own,
 * read as plain text.
 */
function splitMarkdown(src: string[]): Piece[] {
  const pieces: Piece[] = [];
  let chunkFrom = 0;
  let chunkChars = 0;
  let fence: { ch: string; len: number } | null = null;
  let rawEnd: RegExp | null = null;
  let runFrom = -1;
  let runChars = 0;
  let runMarks = 0;
  let runDeep = false;
  const cut = (to: number): void => {
    if (to > chunkFrom) pieces.push({ from: chunkFrom, to, asText: null });
    chunkFrom = to;
    chunkChars = 0;
  };
  const endRun = (to: number): void => {
    if (runFrom < 0) return;
    const reason =
      runChars > MARKDOWN_RUN_MAX_CHARS ? `a run of ${runChars} characters without a blank line`
      : runMarks > MARKDOWN_RUN_MAX_MARKS ? `${runMarks} emphasis, link or code marks without a blank line`
      : runDeep ? 'block quotes or lists nested too deeply'
      : null;
    if (reason) {
      cut(runFrom);
      pieces.push({ from: runFrom, to, asText: reason });
      chunkFrom = to;
      chunkChars = 0;
    }
    runFrom = -1;
    runChars = 0;
    runMarks = 0;
    runDeep = false;
  };
  for (let i = 0; i < src.length; i++) {
    const line = src[i]!;
    chunkChars += line.length + 1;
    if (fence || rawEnd) {
      if (fence) {
        const close = new RegExp(`^[ \\t>]*${fence.ch === '`' ? '`' : '~'}{${fence.len},}[ \\t]*$`);
        if (close.test(line)) fence = null;
      } else if (rawEnd!.test(line)) rawEnd = null;
      if (chunkChars >= 4 * MARKDOWN_CHUNK_CHARS) {
        // An unclosed fence or raw block must not make the whole rest one piece.
        fence = null;
        rawEnd = null;
        endRun(i + 1);
        cut(i + 1);
      }
      continue;
    }
    if (BLANK_LINE.test(line)) {
      endRun(i);
      if (chunkChars >= MARKDOWN_CHUNK_CHARS) cut(i);
      continue;
    }
    if (runFrom < 0) runFrom = i;
    runChars += line.length + 1;
    if (runMarks <= MARKDOWN_RUN_MAX_MARKS) runMarks += line.match(MARKS)?.length ?? 0;
    if ((CONTAINER_PREFIX.exec(line)?.[0].length ?? 0) > MAX_CONTAINER_PREFIX) runDeep = true;
    const f = FENCE_OPEN.exec(line);
    if (f && !(f[1]!.startsWith('`') && f[2]!.includes('`'))) fence = { ch: f[1]![0]!, len: f[1]!.length };
    const h = HTML_RAW_OPEN.exec(line);
    if (h) {
      const end = h[1] ? new RegExp(`</${h[1]}>`, 'i') : /-->/;
      if (!end.test(line.slice(h.index + h[0].length))) rawEnd = end;
    }
  }
  endRun(src.length);
  cut(src.length);
  return pieces;
}

/**
 * Link reference definitions anywhere in the text, as Markdown lines to append to every piece
 * (remark only makes `[text][ref]` a link when the piece holds the definition).
 */
function scanDefinitions(text: string): string {
  const re = /^ {0,3}\[((?:[^\]\\\n]|\\.){1,999})\]:[ \t]*(<[^\n>]*>|[^\s<>]+)/gm;
  const seen = new Set<string>();
  const out: string[] = [];
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const id = normalizeLabel(m[1]!);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(`[${m[1]}]: ${m[2]}`);
  }
  return out.length ? `\n\n${out.join('\n')}\n` : '';
}

function normalizeLabel(label: string): string {
  return label.replace(/[\t\n\r ]+/g, ' ').trim().toLowerCase();
}

/**
 * {@link markdownToBlocks} with diagnostics. Large documents are parsed piece by piece
 * (see {@link MARKDOWN_CHUNK_CHARS}) so memory stays bounded; line numbers and gaps are those
 * of the whole document. A run remark would take too long on is read as plain text with
 * `read/markdown-as-text` (warning); if remark throws, the piece is read as plain text with
 * `read/markdown-unparseable` (warning).
 * @param file input path for diagnostics (default `''`)
 */
export function readMarkdown(text: string, file = ''): MarkdownReadResult {
  const src = text.split('\n');
  const pieces = splitMarkdown(src);
  const diagnostics: Diagnostic[] = [];
  const definitions = new Map<string, string>();
  const sharedDefinitions = pieces.length > 1 ? scanDefinitions(text) : '';
  /** Last source line of the piece being read; appended definitions lie beyond it. */
  let maxLine = src.length;

  const blocks: Block[] = [];
  let prevEnd = 0;
  let breakPending = false;
  const blanksBetween = (from: number, to: number): number => {
    let n = 0;
    for (let l = from; l < to; l++) if (BLANKISH.test(src[l - 1] ?? '')) n++;
    return n;
  };
  const emit = (kind: Block['kind'], all: Line[], links: string[], start: number, end: number): void => {
    const lines = all.length && all[all.length - 1]!.line > maxLine ? all.filter((l) => l.line <= maxLine) : all;
    if (!lines.length) return;
    let gap = blanksBetween(prevEnd + 1, start);
    if (blocks.length === 0 || kind === 'heading' || breakPending) gap = Math.max(2, gap);
    blocks.push({ kind, lines, gapBefore: gap, links });
    prevEnd = end;
    breakPending = false;
  };
  const asText = (piece: Piece, code: string, message: string): void => {
    diagnostics.push({ code, severity: 'warning', message, file, line: piece.from + 1, n: null });
    textToBlocks(src.slice(piece.from, piece.to).join('\n')).forEach((b, i) => {
      const lines = b.lines.map((l) => ({ text: l.text, line: l.line + piece.from }));
      if (i === 0) emit(b.kind, lines, b.links, lines[0]!.line, lines[lines.length - 1]!.line);
      else {
        blocks.push({ ...b, lines });
        prevEnd = lines[lines.length - 1]!.line;
      }
    });
  };

  for (const piece of pieces) {
    maxLine = piece.to;
    if (piece.asText !== null) {
      asText(piece, 'read/markdown-as-text', `Lines ${piece.from + 1}-${piece.to} hold ${piece.asText}; read as plain text.`);
      continue;
    }
    let tree: Root;
    try {
      tree = parser.parse(pieces.length > 1 ? src.slice(piece.from, piece.to).join('\n') + sharedDefinitions : text);
    } catch (err) {
      asText(piece, 'read/markdown-unparseable', `The Markdown parser failed on lines ${piece.from + 1}-${piece.to} (${err instanceof Error ? err.message : String(err)}); read as plain text.`);
      continue;
    }
    const offset = piece.from;
    const defStack: Nodes[] = [tree];
    while (defStack.length) {
      const n = defStack.pop()!;
      if (n.type === 'definition') {
        const id = normalizeLabel(n.identifier);
        if (!definitions.has(id)) definitions.set(id, n.url);
      } else if ('children' in n) for (const c of n.children) defStack.push(c);
    }

    interface Frame {
      node: RootContent;
      /** The list item this node sits in, while its first paragraph has not been seen. */
      item: { first: boolean } | null;
    }
    const stack: Frame[] = [];
    const pushChildren = (children: RootContent[], item: Frame['item']): void => {
      for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, item });
    };
    pushChildren(tree.children, null);
    while (stack.length) {
      const { node, item } = stack.pop()!;
      const start = (node.position?.start.line ?? 1) + offset;
      const end = (node.position?.end.line ?? 1) + offset;
      switch (node.type) {
        case 'paragraph':
        case 'heading': {
          const { lines, links } = inline(node.children, offset, start, end, definitions);
          let kind: Block['kind'] = node.type === 'heading' ? 'heading' : 'paragraph';
          if (item?.first) {
            item.first = false;
            if (kind === 'paragraph') kind = 'list-item';
          }
          emit(kind, lines, links, start, end);
          break;
        }
        case 'code': {
          // A fenced block spans more source lines than its value (the fence lines).
          const valueLines = node.value.split('\n');
          const skip = end - start + 1 > valueLines.length ? 1 : 0;
          const lines = valueLines
            .map((t, i) => ({ text: t, line: Math.min(start + skip + i, end) }))
            .filter((l) => l.text.trim() !== '');
          emit('paragraph', lines, [], start, end);
          break;
        }
        case 'html': {
          const sub = htmlToBlocks(node.value).blocks;
          sub.forEach((b, i) => {
            const lines = b.lines.map((l) => ({ text: l.text, line: Math.min(l.line + start - 1, end) }));
            const from = lines[0]!.line;
            const to = lines[lines.length - 1]!.line;
            if (i === 0) emit(b.kind, lines, b.links, from, to);
            else if (to <= maxLine) {
              blocks.push({ ...b, lines });
              prevEnd = to;
            }
          });
          break;
        }
        case 'thematicBreak':
          breakPending = true;
          break;
        case 'listItem':
          pushChildren(node.children, { first: true });
          break;
        default:
          if ('children' in node && node.type !== 'link' && node.type !== 'linkReference') {
            pushChildren(node.children as RootContent[], item);
          }
      }
    }
  }
  return { blocks, diagnostics };
}

/**
 * The text of a paragraph or heading as source lines. Soft breaks (newlines inside text
 * nodes), hard breaks and inline `<br>` end a line; a line's number is the source line of its
 * first visible character (node lines plus the piece's `offset`, at most `end`). Lines that
 * are blank after trimming are left out.
 */
function inline(
  children: PhrasingContent[],
  offset: number,
  start: number,
  end: number,
  definitions: Map<string, string>,
): { lines: Line[]; links: string[] } {
  const lines: Line[] = [];
  const links: string[] = [];
  let buf = '';
  let bufLine: number | null = null;
  const endLine = (): void => {
    if (buf.trim() !== '') lines.push({ text: buf, line: bufLine ?? start });
    buf = '';
    bufLine = null;
  };
  const append = (s: string, line: number): void => {
    if (bufLine === null && s.trim() !== '') bufLine = line;
    buf += s;
  };
  const stack: PhrasingContent[] = [...children].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    const line = n.position ? n.position.start.line + offset : bufLine ?? start;
    switch (n.type) {
      case 'text': {
        const parts = n.value.split('\n');
        parts.forEach((part, i) => {
          if (i > 0) endLine();
          append(part, Math.min(line + i, end)); // a `&#10;` is a newline without a source line
        });
        break;
      }
      case 'inlineCode':
        append(n.value.replace(/\n/g, ' '), line);
        break;
      case 'break':
        endLine();
        break;
      case 'html':
        if (/^<br\s*\/?>$/i.test(n.value.trim())) endLine();
        break;
      case 'image':
      case 'imageReference':
      case 'footnoteReference':
        break;
      case 'link': {
        const href = safeHref(n.url);
        if (href !== null) links.push(href);
        for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
        break;
      }
      case 'linkReference': {
        const href = safeHref(definitions.get(normalizeLabel(n.identifier)));
        if (href !== null) links.push(href);
        for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
        break;
      }
      default: {
        // emphasis, strong, delete and any phrasing node a plugin might add
        const other: { children?: PhrasingContent[]; value?: unknown } = n;
        if (other.children) for (let i = other.children.length - 1; i >= 0; i--) stack.push(other.children[i]!);
        else if (typeof other.value === 'string') append(other.value, line);
      }
    }
  }
  endLine();
  return { lines, links };
}
