import { describe, expect, it } from 'vitest';
import { MARKDOWN_CHUNK_CHARS, MARKDOWN_RUN_MAX_CHARS, markdownToBlocks, readMarkdown } from '../../../src/read/markdown.ts';
import type { Block } from '../../../src/types.ts';

/** Compact view of blocks: kind, gapBefore, lines as `line:text`, links. */
function view(blocks: Block[]): Array<[string, number, string[], string[]]> {
  return blocks.map((b) => [b.kind, b.gapBefore, b.lines.map((l) => `${l.line}:${l.text}`), b.links]);
}

describe('markdownToBlocks', () => {
  it('turns paragraphs into blocks and counts blank source lines between them as gapBefore', () => {
    const md = 'Title one\n\nBody of one.\n\n\nTitle two\n\n\n\nFar away';
    expect(view(markdownToBlocks(md))).toEqual([
      ['paragraph', 2, ['1:Title one'], []],
      ['paragraph', 1, ['3:Body of one.'], []],
      ['paragraph', 2, ['6:Title two'], []],
      ['paragraph', 3, ['10:Far away'], []],
    ]);
  });

  it('keeps soft line breaks inside a paragraph as separate lines with their source line numbers', () => {
    const md = '\nFirst line\nsecond line\n   third, indented';
    expect(view(markdownToBlocks(md))).toEqual([['paragraph', 2, ['2:First line', '3:second line', '4:third, indented'], []]]);
  });

  it('ends a line at a hard break and at an inline <br>', () => {
    const md = 'one  \ntwo\\\nthree <br> four';
    expect(markdownToBlocks(md)[0]!.lines).toEqual([
      { text: 'one', line: 1 },
      { text: 'two', line: 2 },
      { text: 'three ', line: 3 },
      { text: ' four', line: 3 },
    ]);
  });

  it('makes headings heading blocks that always start an entry, even after one blank line', () => {
    const md = 'Intro\n\n## A title\nBody right below\n\nSetext title\n============';
    expect(view(markdownToBlocks(md))).toEqual([
      ['paragraph', 2, ['1:Intro'], []],
      ['heading', 2, ['3:A title'], []],
      ['paragraph', 0, ['4:Body right below'], []],
      ['heading', 2, ['6:Setext title'], []],
    ]);
  });

  it('drops emphasis, strong and code marks but keeps their text, and resolves escapes and entities', () => {
    const [b] = markdownToBlocks('*Emphasis* and **strong** and `code` and Nutzer\\*innen &amp; \\[x\\]');
    expect(b!.lines[0]!.text).toBe('Emphasis and strong and code and Nutzer*innen & [x]');
  });

  it('keeps U+00A0 and typographic quotes exactly as written', () => {
    const [b] = markdownToBlocks('„Zitat“ – ‘quoted’\u00a0and more\u00a0');
    expect(b!.lines[0]!.text).toBe('„Zitat“ – ‘quoted’\u00a0and more\u00a0');
  });

  it('keeps a link URL in links and the link text in the text, also for reference links', () => {
    const md = 'See [the report](https://example.org/r.pdf) and [the list][l].\n\n[l]: /relative/list "Title"';
    expect(view(markdownToBlocks(md))).toEqual([
      ['paragraph', 2, ['1:See the report and the list.'], ['https://example.org/r.pdf', '/relative/list']],
    ]);
  });

  it('never keeps a javascript: or data: URL', () => {
    const [b] = markdownToBlocks('[a](javascript:alert(1)) [b](data:text/html,x) [c](mailto:x@example.org)');
    expect(b!.links).toEqual(['mailto:x@example.org']);
    expect(b!.lines[0]!.text).toBe('a b c');
  });

  it('makes list items list-item blocks, adjacent items with gapBefore 0', () => {
    const md = 'Case Studies\n\n- first item\n- second item\n  continued\n\n1. numbered';
    expect(view(markdownToBlocks(md))).toEqual([
      ['paragraph', 2, ['1:Case Studies'], []],
      ['list-item', 1, ['3:first item'], []],
      ['list-item', 0, ['4:second item', '5:continued'], []],
      ['list-item', 1, ['7:numbered'], []],
    ]);
  });

  it('ignores thematic breaks but lets the next block start an entry', () => {
    const md = 'One\n\n---\n\nTwo\n\n***\nThree';
    expect(view(markdownToBlocks(md)).map(([, gap]) => gap)).toEqual([2, 2, 2]);
  });

  it('reads the text of raw HTML blocks without tags, scripts or attributes', () => {
    const md = 'Before\n\n<div class="x" onclick="evil()">\n<p>Inside &uuml;</p>\n<script>alert(1)</script>\n</div>\n\n<!-- a comment -->\n\nAfter';
    expect(view(markdownToBlocks(md))).toEqual([
      ['paragraph', 2, ['1:Before'], []],
      ['paragraph', 1, ['4:Inside ü'], []],
      ['paragraph', 2, ['10:After'], []],
    ]);
  });

  it('treats a line of only U+00A0 as a blank line, not as a block', () => {
    expect(view(markdownToBlocks('One\n\n\u00a0\n\nTwo'))).toEqual([
      ['paragraph', 2, ['1:One'], []],
      ['paragraph', 3, ['5:Two'], []],
    ]);
  });

  it('reads blockquote paragraphs as paragraphs and counts a bare ">" line as blank', () => {
    expect(view(markdownToBlocks('> quoted one\n>\n> quoted two'))).toEqual([
      ['paragraph', 2, ['1:quoted one'], []],
      ['paragraph', 1, ['3:quoted two'], []],
    ]);
  });

  it('keeps the lines of a code block with their line numbers', () => {
    expect(view(markdownToBlocks('Text\n\n```\nline a\n\nline b\n```'))).toEqual([
      ['paragraph', 2, ['1:Text'], []],
      ['paragraph', 1, ['4:line a', '6:line b'], []],
    ]);
  });

  it('gives an empty document no blocks and no diagnostics', () => {
    expect(readMarkdown('\n\n  \n', 'x.md')).toEqual({ blocks: [], diagnostics: [] });
  });

  it('reads moderately nested block quotes and emphasis as Markdown', () => {
    expect(view(markdownToBlocks('> '.repeat(50) + 'deep quote'))).toEqual([['paragraph', 2, ['1:deep quote'], []]]);
    expect(markdownToBlocks('*'.repeat(300) + 'x' + '*'.repeat(300))[0]!.lines[0]!.text).toBe('x');
  });

  it('reads a run that would make remark quadratic as plain text, with read/markdown-as-text', () => {
    const deep = '> '.repeat(3000) + 'deep quote';
    const bomb = 'word *em* [l](http://x) '.repeat(1000);
    const r = readMarkdown(`Title\n\n${deep}\n\n${bomb}\n\nAfter`, 'x.md');
    expect(r.blocks.map((b) => [b.gapBefore, b.lines[0]!.line, b.lines[0]!.text.trimEnd().slice(-10)])).toEqual([
      [2, 1, 'Title'],
      [1, 3, 'deep quote'],
      [1, 5, '(http://x)'],
      [1, 7, 'After'],
    ]);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.file, d.line])).toEqual([
      ['read/markdown-as-text', 'warning', 'x.md', 3],
      ['read/markdown-as-text', 'warning', 'x.md', 5],
    ]);
  });

  it('reads a run longer than the limit without a blank line as plain text', () => {
    const long = 'plain words only here '.repeat(Math.ceil(MARKDOWN_RUN_MAX_CHARS / 20));
    const r = readMarkdown(`# Head\n${long}`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['read/markdown-as-text']);
    expect(r.blocks[0]!.lines.map((l) => l.line)).toEqual([1, 2]);
  });

  it('never cuts a piece inside a fenced code block', () => {
    const filler = 'Filler paragraph text.\n\n'.repeat(Math.floor(MARKDOWN_CHUNK_CHARS / 24)); // ends 16 characters before a cut
    const md = `${filler}\`\`\`\nfirst${'\n'.repeat(12)}# inside fence\n\`\`\`\n\nLast`;
    const blocks = markdownToBlocks(md);
    const code = blocks.find((b) => b.lines.some((l) => l.text === '# inside fence'));
    expect(code?.kind).toBe('paragraph');
    expect(code?.lines.map((l) => l.text)).toEqual(['first', '# inside fence']);
    expect(blocks.at(-1)!.lines[0]!.text).toBe('Last');
  });

  it('parses a large document in pieces with the same blocks, lines and gaps as a small one', () => {
    const entry = (i: number): string => `## Entry ${i}\n\nBody *${i}* with [a link][ref] and more text.\nSecond line.\n\n\n`;
    const count = Math.ceil((3 * MARKDOWN_CHUNK_CHARS) / entry(1000).length);
    let md = '';
    for (let i = 0; i < count; i++) md += entry(i);
    md += '```\ncode line\n\n\ncode after blanks\n```\n\n[ref]: https://ref.example/x\n';
    const r = readMarkdown(md);
    expect(r.diagnostics).toEqual([]);
    expect(r.blocks).toHaveLength(2 * count + 1);
    r.blocks.slice(0, -1).forEach((b, k) => {
      const i = Math.floor(k / 2);
      const first = 1 + 6 * i;
      if (k % 2 === 0) expect(b).toEqual({ kind: 'heading', lines: [{ text: `Entry ${i}`, line: first }], gapBefore: 2, links: [] });
      else {
        expect(b).toEqual({
          kind: 'paragraph',
          lines: [{ text: `Body ${i} with a link and more text.`, line: first + 2 }, { text: 'Second line.', line: first + 3 }],
          gapBefore: 1,
          links: ['https://ref.example/x'],
        });
      }
    });
    expect(r.blocks.at(-1)!.lines.map((l) => [l.line, l.text])).toEqual([[6 * count + 2, 'code line'], [6 * count + 5, 'code after blanks']]);
  });
});
