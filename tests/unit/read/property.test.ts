import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBlocks } from '../../../src/read/blocks.ts';
import { decodeBytes } from '../../../src/read/decode.ts';
import type { BlockDocument, Format, RawDocument } from '../../../src/types.ts';

const FORMATS: Format[] = ['text', 'markdown', 'html'];

/** Pieces of Markdown, HTML and digest text, so generated inputs hit the readers' paths. */
const token = fc.constantFrom(
  '<p>', '</p>', '<div>', '</div>', '<br>', '<hr>', '<h2>', '</h2>', '<li>', '<ul>', '<pre>', '</pre>',
  '<article>', '<nav>', '<script>', '</script>', '<style>', '<!--', '-->', '<!DOCTYPE html>', '<a href="javascript:x()" onclick="y()">',
  '<a href="https://a.example">', '</a>', '&nbsp;', '&amp;', '&#0;', '&#xD800;', '&#10;', '&#13;', '&uuml;', '\n', '\n\n', '\n\n\n', '## ', '# ',
  '- ', '1. ', '> ', '*', '**', '_', '`', '```', '---', '===', '[a](javascript:x)', '[b](https://b.example)', '[c][d]', '[d]: /e',
  'A- A A+', 'Title', 'Body text.', '(Source, UK, 01.02.2024)', 'doi: 10.5555/x', '\u00a0', '\t', ' ', '\\', '<', '>', '&',
  '\u2028', '\ufeff', '\u0000', '\ud800', 'ü', '„', '“',
);
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.array(token, { maxLength: 80 }).map((t) => t.join('')),
);
const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.tuple(fc.constantFrom([0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], []), fc.uint8Array({ maxLength: 300 }))
    .map(([bom, rest]) => Uint8Array.from([...bom, ...rest])),
  text.map((s) => new TextEncoder().encode(s)),
  text.map((s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff)), // Latin-1-ish bytes
);

/** Throws with a readable reason when a block list breaks the Block contract. */
function assertBlockContract(bd: BlockDocument): void {
  const lineCount = bd.doc.text.split('\n').length;
  bd.blocks.forEach((b, i) => {
    const where = `${bd.doc.format} block ${i}`;
    if (b.lines.length === 0) throw new Error(`${where} has no lines`);
    for (const l of b.lines) {
      if (l.text.trim() === '') throw new Error(`${where} has a blank line ${JSON.stringify(l.text)}`);
      if (!Number.isInteger(l.line) || l.line < 1 || l.line > lineCount) throw new Error(`${where} has line number ${l.line} of ${lineCount}`);
    }
    if (!Number.isInteger(b.gapBefore) || b.gapBefore < 0) throw new Error(`${where} has gapBefore ${b.gapBefore}`);
    if (i === 0 && b.gapBefore < 2) throw new Error(`${where} is first but has gapBefore ${b.gapBefore}`);
    for (const href of b.links) if (/^\s*(javascript|data|vbscript):/i.test(href)) throw new Error(`${where} keeps link ${href}`);
  });
}

function doc(textValue: string, format: Format): RawDocument {
  return { path: 'prop', sha256: '', format, bytes: textValue.length, encoding: 'utf-8', text: textValue, diagnostics: [] };
}

describe('the read stage on arbitrary input', () => {
  it('never throws on arbitrary strings in any format, and every block keeps the Block contract', () => {
    fc.assert(
      fc.property(text, (s) => {
        // Straight into the readers (LF line endings, as RawDocument promises) ...
        const lf = s.replace(/\r\n?/g, '\n');
        for (const format of FORMATS) assertBlockContract(toBlocks(doc(lf, format)));
        // ... and through the decoder, with each format forced.
        const raw = new TextEncoder().encode(s);
        for (const format of FORMATS) {
          const r = decodeBytes('prop.txt', raw, { format });
          if (r.ok) assertBlockContract(toBlocks(r.doc));
          else expect(r.rejected.reason.code).toMatch(/^read\//);
        }
      }),
      { numRuns: 5_000 },
    );
  }, 60_000);

  it('never throws on arbitrary bytes: each gives a document with valid blocks or a named rejection', () => {
    fc.assert(
      fc.property(bytes, fc.constantFrom('x.txt', 'x.md', 'x.html', 'x'), (b, path) => {
        const r = decodeBytes(path, b);
        if (!r.ok) {
          expect(r.rejected.reason.code).toMatch(/^read\/(binary|invalid-utf8|empty)$/);
          return;
        }
        assertBlockContract(toBlocks(r.doc));
      }),
      { numRuns: 5_000 },
    );
  }, 60_000);
});
