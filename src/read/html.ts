import { load } from 'cheerio/slim';
import type { AnyNode, Element, Text } from 'domhandler';
import type { Block, Diagnostic, Line } from '../types.ts';

/** What the HTML reader returns: the blocks, what it dropped as chrome, and reader notes. */
export interface HtmlReadResult {
  blocks: Block[];
  /** One description per dropped piece of chrome inside the content region, e.g. `nav.menu (line 12)`. */
  dropped: string[];
  /**
   * `read/html-deep-nesting` (warning): elements nest deeper than {@link HTML_MAX_DEPTH}, text
   * kept; `read/html-too-deep` (error): the estimate passes {@link HTML_PARSE_DEPTH_LIMIT}, not
   * parsed; `read/html-unparseable` (error): the parser threw.
   */
  diagnostics: Diagnostic[];
}

/** Options of the HTML reader. */
export interface HtmlReadOptions {
  /** Input path for diagnostics (default `''`). */
  file?: string;
}

/** Nesting depth above which `read/html-deep-nesting` is reported (the text is still read). */
export const HTML_MAX_DEPTH = 512;

/**
 * Estimated nesting depth above which the page is not parsed at all: htmlparser2 closes tags
 * in time proportional to the depth, so a pathological page (millions of nested elements)
 * would take hours. `read/html-too-deep` (error) is reported instead.
 */
export const HTML_PARSE_DEPTH_LIMIT = 50_000;

/** Elements that never nest (void) or that pages often leave open; they do not count as depth. */
const FLAT_TAGS = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr',
  'p', 'li', 'dt', 'dd', 'option', 'tr', 'td', 'th',
]);

/** A linear over-estimate of the nesting depth from the tags alone (no parsing). */
export function estimateHtmlDepth(html: string): number {
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(\/?)>/g;
  let depth = 0;
  let max = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const name = m[2]!.toLowerCase();
    if (FLAT_TAGS.has(name) || m[3] === '/') continue;
    if (m[1] === '/') depth = Math.max(0, depth - 1);
    else if (++depth > max) max = depth;
  }
  return max;
}

/** Elements whose content is never text of the page. */
const DROP_TAGS = new Set([
  'head', 'title', 'nav', 'header', 'footer', 'aside', 'script', 'style', 'noscript', 'form',
  'iframe', 'template', 'svg', 'math', 'button', 'select', 'textarea', 'input', 'object',
  'embed', 'canvas', 'audio', 'video', 'map', 'dialog', 'menu', 'link', 'meta', 'base',
]);
/** Elements whose text does not count when measuring where the content is. */
const NO_TEXT_TAGS = new Set(['head', 'title', 'script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object', 'textarea', 'select']);
/** ARIA landmark roles that are page chrome. */
const DROP_ROLES = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'dialog', 'alertdialog', 'menu', 'menubar', 'toolbar']);
/** Elements that start and end a block. */
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'caption', 'center', 'dd', 'details',
  'dialog', 'dir', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'html', 'legend', 'li', 'main',
  'menu', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot',
  'th', 'thead', 'tr', 'ul',
]);
/** Structural chrome that is kept when it wraps most of the content. */
const LANDMARK_TAGS = new Set(['form', 'header', 'footer', 'aside', 'nav', 'menu', 'dialog']);
/** Blocks that hold text, not other blocks: the content region never narrows to one of them. */
const LEAF_BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'pre', 'blockquote', 'dd', 'dt', 'td', 'th']);
const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
/** id/class substrings of consent and banner widgets. */
const CONSENT_RE = /cookie|consent|banner|gdpr/i;
/** id/class words of share, print, social and font-size widgets. */
const WIDGET_RE = /(?:^|[\s_-])(?:share|sharing|sharethis|addthis|social|socials|print|printer|printfriendly|fontsize|font-size|textsize|text-size|breadcrumbs?|skip-link)(?:$|[\s_-])/i;
/** The font-size widget's whole text, e.g. "A- A A+" or "Schriftgröße: A- A A+". */
export const FONT_SIZE_WIDGET_RE = /^(?:(?:schrift|text|font)[\s-]*(?:größe|groesse|grösse|size)\s*:?\s*)?A\s*[-−–]\s*A\s*A\s*\+$/i;

/** ASCII white space as HTML collapses it (U+00A0 is kept). */
const HTML_WS = /[\t\n\f\r ]+/g;

/**
 * A link target that may be kept: http(s), mailto or relative. Browsers ignore tabs and
 * newlines inside a URL, so they are removed before the scheme is checked; `javascript:`,
 * `data:`, `vbscript:` and every other scheme give null, as do empty and `#fragment` links.
 */
export function safeHref(href: string | null | undefined): string | null {
  if (href == null) return null;
  const url = href.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '');
  if (url === '' || url.startsWith('#')) return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (!scheme) return url;
  const s = scheme[1]!.toLowerCase();
  return s === 'http' || s === 'https' || s === 'mailto' ? url : null;
}

function isElement(n: AnyNode): n is Element {
  return 'attribs' in n && 'name' in n;
}
function isText(n: AnyNode): n is Text {
  return n.nodeType === 3;
}
function childrenOf(n: AnyNode): AnyNode[] {
  return 'children' in n ? (n.children as AnyNode[]) : [];
}

/** Maps a character offset of the source to its 1-based line. */
function lineMapper(src: string): (offset: number) => number {
  const starts = [0];
  for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function describe(el: Element, line: number): string {
  const id = el.attribs['id'] ? `#${el.attribs['id']}` : '';
  const cls = el.attribs['class']?.trim().split(/\s+/)[0];
  return `${el.name}${id}${cls ? `.${cls}` : ''} (line ${line})`;
}

/** Text measures of an element: visible characters of all its text and of its `<p>` text. */
interface Stats {
  text: number;
  p: number;
}

/**
 * The collapsed text of a short element (for widget detection), or null when the element
 * holds more than `max` characters or `maxNodes` nodes. Iterative and bounded.
 */
function shortText(el: Element, max = 40, maxNodes = 64): string | null {
  let out = '';
  let seen = 0;
  const stack: AnyNode[] = [el];
  while (stack.length) {
    const n = stack.pop()!;
    if (++seen > maxNodes) return null;
    if (isText(n)) {
      out += n.data;
      if (out.length > max * 4) return null;
      continue;
    }
    if (!isElement(n)) continue;
    if (n !== el && BLOCK_TAGS.has(n.name)) out += ' ';
    const kids = childrenOf(n);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  const t = out.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : null;
}

/**
 * Accumulates text into lines and lines into blocks, counting the blank-line units between
 * blocks the way the plain-text reader does.
 */
class BlockBuilder {
  readonly blocks: Block[] = [];
  private lines: Line[] = [];
  private links: string[] = [];
  /** Links seen since the last line ended; they belong to the block of the next line. */
  private pendingLinks: string[] = [];
  private kind: Block['kind'] = 'paragraph';
  private gapBefore = 0;
  private buf = '';
  private bufLine: number | null = null;
  /** Blank-line units since the last block started. */
  private gap = 0;
  private boundarySeen = false;
  private forceBreak = false;
  /** Incremented whenever visible (non-blank) text is appended. */
  seq = 0;

  constructor(private readonly kindNow: () => Block['kind']) {}

  text(s: string, line: number, pre: boolean): void {
    if (s === '') return;
    let t = pre ? s : s.replace(HTML_WS, ' ');
    if (!pre && t.startsWith(' ') && (this.buf === '' || this.buf.endsWith(' '))) t = t.slice(1);
    if (t === '') return;
    if (this.bufLine === null && t.trim() !== '') this.bufLine = line;
    if (t.trim() !== '') this.seq++;
    this.buf += t;
  }

  /** A `<br>`: ends the current line; a line break on an empty line is a blank line. */
  br(): void {
    if (!this.endLine() && this.lines.length > 0) this.gap++;
  }

  /** Start or end of a block element. */
  boundary(): void {
    this.endLine();
    this.flush();
    this.boundarySeen = true;
  }

  /** Adds blank-line units (empty paragraphs, `<hr>`). */
  blank(n: number): void {
    this.boundary();
    this.gap += n;
  }

  /** The next block starts an entry (gapBefore >= 2). */
  entryBreak(): void {
    this.boundary();
    this.forceBreak = true;
  }

  /** Records a link target; it goes to the block of the line its text ends up on. */
  link(href: string): void {
    this.pendingLinks.push(href);
  }

  /** Forgets a link that had no visible text (an image link, an empty anchor). */
  unlink(href: string): void {
    const i = this.pendingLinks.lastIndexOf(href);
    if (i >= 0) this.pendingLinks.splice(i, 1);
  }

  /** Ends the current line; true when it held visible text. */
  private endLine(): boolean {
    const text = this.buf.replace(/^[\t\n\f\r ]+|[\t\n\f\r ]+$/g, '');
    const line = this.bufLine;
    this.buf = '';
    this.bufLine = null;
    if (text.trim() === '' || line === null) return false;
    if (this.lines.length > 0 && this.gap > 0) this.flush();
    if (this.lines.length === 0) {
      const kind = this.kindNow();
      let gap = (this.boundarySeen ? 1 : 0) + this.gap;
      if (this.blocks.length === 0 || kind === 'heading' || this.forceBreak) gap = Math.max(2, gap);
      this.kind = kind;
      this.gapBefore = gap;
      this.gap = 0;
      this.boundarySeen = false;
      this.forceBreak = false;
    }
    this.lines.push({ text, line });
    if (this.pendingLinks.length) {
      this.links.push(...this.pendingLinks);
      this.pendingLinks = [];
    }
    return true;
  }

  private flush(): void {
    if (this.lines.length === 0) return;
    this.blocks.push({ kind: this.kind, lines: this.lines, gapBefore: this.gapBefore, links: this.links });
    this.lines = [];
    this.links = [];
  }

  /** Ends the document. */
  finish(): Block[] {
    this.boundary();
    return this.blocks;
  }
}

/**
 * HTML to blocks. Parses with cheerio (htmlparser2, with source offsets), finds the content
 * region (`article`, `main`, `[role=main]`, `#content`, `.content`, else the element that
 * holds most of the paragraph text), drops page chrome (navigation, header, footer, aside,
 * scripts, styles, forms, buttons, cookie/consent banners, share/print/font-size widgets,
 * hidden elements) and maps p, h1-h6, li, blockquote, div text and `<br>` line breaks to
 * blocks. Entities are decoded; links keep their http(s)/mailto/relative hrefs; attributes
 * and script text never reach a block. `gapBefore`: adjacent block elements give 1, each
 * empty paragraph (`<p>&nbsp;</p>`, `<p><br></p>`) or extra `<br>` adds 1, `<hr>` adds 2,
 * a heading or `<article>` gets at least 2. Every line keeps its source line number.
 * Never recurses, so any nesting depth is read; more than {@link HTML_MAX_DEPTH} levels
 * adds `read/html-deep-nesting` (warning); past {@link HTML_PARSE_DEPTH_LIMIT} the page is not
 * parsed (`read/html-too-deep`, error). If the parser fails: no blocks, `read/html-unparseable`.
 */
export function htmlToBlocks(html: string, opts: HtmlReadOptions = {}): HtmlReadResult {
  const file = opts.file ?? '';
  const diagnostics: Diagnostic[] = [];
  const dropped: string[] = [];
  const lineOf = lineMapper(html);

  const estimated = estimateHtmlDepth(html);
  if (estimated > HTML_PARSE_DEPTH_LIMIT) {
    diagnostics.push({
      code: 'read/html-too-deep',
      severity: 'error',
      message: `HTML elements are nested about ${estimated} levels deep (more than ${HTML_PARSE_DEPTH_LIMIT}); the page was not parsed.`,
      file,
      line: null,
      n: null,
      data: { depth: estimated },
    });
    return { blocks: [], dropped, diagnostics };
  }

  let root: AnyNode;
  try {
    const $ = load(html, { xml: { xmlMode: false, withStartIndices: true, withEndIndices: true, decodeEntities: true } });
    const r = $.root()[0];
    if (!r) throw new Error('the parser returned no document');
    root = r;
  } catch (err) {
    diagnostics.push({
      code: 'read/html-unparseable',
      severity: 'error',
      message: `The HTML parser failed (${err instanceof Error ? err.message : String(err)}); no text was read.`,
      file,
      line: null,
      n: null,
    });
    return { blocks: [], dropped, diagnostics };
  }

  // Pre-order list of every node (iterative), with parents and depth.
  const order: AnyNode[] = [];
  const stack: Array<[AnyNode, number]> = [[root, 0]];
  let maxDepth = 0;
  let deepest: AnyNode = root;
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    order.push(node);
    if (depth > maxDepth && isElement(node)) {
      maxDepth = depth;
      deepest = node;
    }
    const kids = childrenOf(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i]!, depth + 1]);
  }
  if (maxDepth > HTML_MAX_DEPTH) {
    diagnostics.push({
      code: 'read/html-deep-nesting',
      severity: 'warning',
      message: `HTML elements are nested ${maxDepth} levels deep (more than ${HTML_MAX_DEPTH}); read without recursion, text kept.`,
      file,
      line: lineOf(deepest.startIndex ?? 0),
      n: null,
      data: { depth: maxDepth },
    });
  }

  // Text measures, bottom-up: reverse pre-order visits children before their parents.
  const stats = new Map<AnyNode, Stats>();
  const statsOf = (n: AnyNode): Stats => {
    let s = stats.get(n);
    if (!s) stats.set(n, (s = { text: 0, p: 0 }));
    return s;
  };
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const parent = node.parent;
    if (isText(node)) {
      if (!parent) continue;
      const ps = statsOf(parent);
      ps.text += node.data.replace(HTML_WS, ' ').trim().length;
      continue;
    }
    if (!isElement(node) && node !== root) continue;
    const s = statsOf(node);
    if (isElement(node) && node.name === 'p') s.p = s.text;
    if (!parent || (isElement(node) && NO_TEXT_TAGS.has(node.name))) continue;
    const ps = statsOf(parent);
    ps.text += s.text;
    ps.p += s.p;
  }

  const region = findRegion(order, root, statsOf);
  const regionText = statsOf(region).text;
  const regionP = statsOf(region).p;
  const holdsContent = (el: Element): boolean => regionP > 0 && statsOf(el).p > 0.5 * regionP;

  /** How many `article` elements the walk is inside (a header inside one is kept). */
  let articleDepth = 0;
  const dropReason = (el: Element): string | null => {
    const name = el.name;
    if (el.type === 'script' || el.type === 'style' || DROP_TAGS.has(name)) {
      if (name === 'header' && articleDepth > 0) return null;
      // A landmark that holds most of the content is a wrapper, not chrome (ASP.NET wraps
      // whole pages in a <form>).
      if (LANDMARK_TAGS.has(name) && holdsContent(el)) return null;
      return name;
    }
    const a = el.attribs;
    if ('hidden' in a || a['aria-hidden'] === 'true' || /display\s*:\s*none|visibility\s*:\s*hidden/i.test(a['style'] ?? '')) return 'hidden';
    if (a['role'] && DROP_ROLES.has(a['role'].toLowerCase())) return `role=${a['role']}`;
    const s = statsOf(el);
    if (s.text > 0 && s.text <= 40) {
      const t = shortText(el);
      if (t !== null && FONT_SIZE_WIDGET_RE.test(t)) return `font-size widget "${t}"`;
    }
    const idClass = `${a['id'] ?? ''} ${a['class'] ?? ''}`;
    if ((CONSENT_RE.test(idClass) || WIDGET_RE.test(idClass)) && s.text <= Math.max(1000, regionText * 0.25) && !holdsContent(el)) return 'widget';
    return null;
  };

  // The walk: enter/exit frames on an explicit stack.
  const kinds: Array<Block['kind']> = [];
  const builder = new BlockBuilder(() => kinds[kinds.length - 1] ?? 'paragraph');
  let pre = 0;
  type Frame =
    | { node: AnyNode; exit: false }
    | { node: Element; exit: true; seq: number; blankable: boolean; href: string | null };
  const frames: Frame[] = [{ node: region, exit: false }];
  while (frames.length) {
    const f = frames.pop()!;
    if (f.exit) {
      const name = f.node.name;
      if (name === 'a') {
        if (f.href !== null && builder.seq === f.seq) builder.unlink(f.href);
        continue;
      }
      if (f.blankable && builder.seq === f.seq) builder.blank(1);
      else builder.boundary();
      if (name === 'pre') pre--;
      if (name === 'article') articleDepth--;
      if (HEADING_TAGS.has(name) || name === 'li') kinds.pop();
      continue;
    }
    const node = f.node;
    if (isText(node)) {
      const data = node.data;
      const first = data.search(/[^\t\n\f\r ]/);
      if (first < 0 && pre === 0) {
        builder.text(data, 1, false);
        continue;
      }
      const base = lineOf(node.startIndex ?? 0);
      // Newlines in the data are source newlines, except decoded `&#10;`: never pass the node's end.
      const last = node.endIndex != null ? lineOf(node.endIndex) : base;
      if (pre > 0) {
        const parts = data.split('\n');
        let line = base;
        parts.forEach((part, i) => {
          if (i > 0) {
            builder.br();
            line = Math.min(line + 1, last);
          }
          builder.text(part, line, true);
        });
      } else {
        let nl = 0;
        for (let i = data.indexOf('\n'); i >= 0 && i < first; i = data.indexOf('\n', i + 1)) nl++;
        builder.text(data, Math.min(base + nl, last), false);
      }
      continue;
    }
    if (!isElement(node)) {
      if (node === region) for (const k of [...childrenOf(node)].reverse()) frames.push({ node: k, exit: false });
      continue;
    }
    const name = node.name;
    if (node !== region) {
      const why = dropReason(node);
      if (why !== null) {
        const line = lineOf(node.startIndex ?? 0);
        dropped.push(why.startsWith('font-size widget') ? `${why} (line ${line})` : describe(node, line));
        if (BLOCK_TAGS.has(name)) builder.boundary();
        continue;
      }
    }
    if (name === 'br') {
      builder.br();
      continue;
    }
    if (name === 'hr') {
      builder.blank(2);
      continue;
    }
    if (name === 'img' || name === 'wbr' || name === 'area' || name === 'source' || name === 'track') continue;
    const kids = childrenOf(node);
    if (name === 'a') {
      const href = safeHref(node.attribs['href']);
      if (href !== null) {
        builder.link(href);
        frames.push({ node, exit: true, seq: builder.seq, blankable: false, href });
      }
    }
    if (BLOCK_TAGS.has(name) || node === region) {
      if (name === 'article' && node !== region) builder.entryBreak();
      else builder.boundary();
      if (name === 'pre') pre++;
      if (name === 'article') articleDepth++;
      if (HEADING_TAGS.has(name)) kinds.push('heading');
      else if (name === 'li') kinds.push('list-item');
      const blankable =
        name === 'p' ||
        (name === 'div' && kids.some((k) => (isElement(k) && k.name === 'br') || (isText(k) && k.data.includes('\u00a0'))));
      frames.push({ node, exit: true, seq: builder.seq, blankable, href: null });
    }
    for (let i = kids.length - 1; i >= 0; i--) frames.push({ node: kids[i]!, exit: false });
  }

  const blocks = builder.finish().filter((b) => {
    const text = b.lines.map((l) => l.text).join(' ').replace(/\s+/g, ' ').trim();
    if (!FONT_SIZE_WIDGET_RE.test(text)) return true;
    dropped.push(`font-size widget "${text}" (line ${b.lines[0]!.line})`);
    return false;
  });
  if (blocks.length > 0 && blocks[0]!.gapBefore < 2) blocks[0]!.gapBefore = 2;
  return { blocks, dropped, diagnostics };
}

/**
 * The content region: a semantic container that holds at least 40% of the page's paragraph
 * text, else the deepest container holding at least 95% of it (and 85% of its parent's text), else
 * the body (or the root).
 */
function findRegion(order: AnyNode[], root: AnyNode, statsOf: (n: AnyNode) => Stats): AnyNode {
  let body: AnyNode = root;
  const articles: Element[] = [];
  const named: Record<'main' | 'role' | 'id' | 'class', Element | null> = { main: null, role: null, id: null, class: null };
  for (const n of order) {
    if (!isElement(n)) continue;
    if (n.name === 'body' && body === root) body = n;
    const last = articles[articles.length - 1];
    if (n.name === 'article' && !(last && isInside(n, last))) articles.push(n);
    if (n.name === 'main') named.main ??= n;
    if (n.attribs['role']?.toLowerCase() === 'main') named.role ??= n;
    if (n.attribs['id'] === 'content') named.id ??= n;
    if (/(?:^|\s)content(?:\s|$)/.test(n.attribs['class'] ?? '')) named.class ??= n;
  }
  const total = statsOf(body);
  const holds = (el: AnyNode): boolean => {
    const s = statsOf(el);
    return total.p > 0 ? s.p >= 0.4 * total.p : total.text > 0 && s.text >= 0.4 * total.text;
  };
  const candidates: AnyNode[] = [];
  if (articles.length === 1) candidates.push(articles[0]!);
  else if (articles.length > 1) candidates.push(commonAncestor(articles));
  for (const k of ['main', 'role', 'id', 'class'] as const) {
    const el = named[k];
    if (el) candidates.push(el);
  }
  for (const c of candidates) if (holds(c)) return c;
  if (total.p === 0) return body;
  let node: AnyNode = body;
  for (;;) {
    let best: Element | null = null;
    let bestP = -1;
    for (const k of childrenOf(node)) {
      if (!isElement(k) || NO_TEXT_TAGS.has(k.name)) continue;
      const p = statsOf(k).p;
      if (p > bestP) {
        best = k;
        bestP = p;
      }
    }
    // Descend only while nothing much is left behind: the child holds most of the page's
    // paragraph text and most of this element's text (so loose text and sibling paragraphs stay).
    if (!best || LEAF_BLOCKS.has(best.name) || bestP < 0.95 * total.p || statsOf(best).text < 0.85 * statsOf(node).text) return node;
    node = best;
  }
}

/** True when `n` lies inside `ancestor` (by source offsets; pre-order visits keep this exact). */
function isInside(n: AnyNode, ancestor: AnyNode): boolean {
  const s = n.startIndex ?? -1;
  return s > (ancestor.startIndex ?? 0) && s <= (ancestor.endIndex ?? -1);
}

function commonAncestor(nodes: AnyNode[]): AnyNode {
  const first = nodes[0]!;
  const chain: AnyNode[] = [];
  for (let p: AnyNode | null = first; p; p = p.parent) chain.push(p);
  let best = 0;
  for (const n of nodes.slice(1)) {
    const seen = new Set<AnyNode>();
    for (let p: AnyNode | null = n; p; p = p.parent) seen.add(p);
    while (best < chain.length && !seen.has(chain[best]!)) best++;
  }
  return chain[Math.min(best, chain.length - 1)]!;
}
