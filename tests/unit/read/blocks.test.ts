import { describe, expect, it } from 'vitest';
import { toBlocks } from '../../../src/read/blocks.ts';
import type { Format, RawDocument } from '../../../src/types.ts';

function doc(text: string, format: Format, path = 'in/page'): RawDocument {
  return { path, sha256: '0', format, bytes: text.length, encoding: 'utf-8', text, diagnostics: [] };
}
const firstTexts = (text: string, format: Format): string[] => toBlocks(doc(text, format)).blocks.map((b) => b.lines[0]!.text);

describe('toBlocks', () => {
  it('reads each format with its own reader', () => {
    const src = '## <b>Title</b>\n\n*Body*';
    expect(firstTexts(src, 'text')).toEqual(['## <b>Title</b>', '*Body*']);
    expect(firstTexts(src, 'markdown')).toEqual(['Title', 'Body']);
    expect(firstTexts(src, 'html')).toEqual(['## Title *Body*']);
  });

  it('keeps the document and puts the document path on reader diagnostics', () => {
    const d = doc('<div>'.repeat(600) + 'x', 'html', 'raw/deep.html');
    const out = toBlocks(d);
    expect(out.doc).toBe(d);
    expect(out.diagnostics.map((x) => [x.code, x.file])).toEqual([['read/html-deep-nesting', 'raw/deep.html']]);
  });
});
