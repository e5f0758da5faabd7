import { readFileSync } from 'node:fs';
import { load } from 'cheerio/slim';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../../../src/read/decode.ts';
import { toBlocks } from '../../../src/read/blocks.ts';
import { FONT_SIZE_WIDGET_RE } from '../../../src/read/html.ts';
import type { Block, BlockDocument } from '../../../src/types.ts';

const DIR = 'tests/fixtures/formats/';
const source = (name: string): string => readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url), 'utf8');

function read(name: string): BlockDocument {
  const bytes = readFileSync(new URL(`../../fixtures/formats/${name}`, import.meta.url));
  const r = decodeBytes(DIR + name, bytes);
  if (!r.ok) throw new Error(`${name} was rejected: ${r.rejected.reason.message}`);
  return toBlocks(r.doc);
}

/**
 * The entry structure of a block list: each block's text and whether it starts an entry
 * (gapBefore >= 2). Font-size widget lines ("A- A A+") are page chrome the segmenter drops;
 * the block after one inherits its separation.
 */
function structure(blocks: Block[]): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  let carried = 0;
  for (const b of blocks) {
    const text = b.lines.map((l) => l.text).join('\n');
    if (FONT_SIZE_WIDGET_RE.test(text.trim())) {
      carried = Math.max(carried, b.gapBefore);
      continue;
    }
    out.push([text, Math.max(carried, b.gapBefore) >= 2]);
    carried = 0;
  }
  return out;
}

describe('the same digest page as text, Markdown and HTML', () => {
  const txt = read('page.txt');
  const md = read('page.md');
  const html = read('page.html');

  it('is read in the format its extension names', () => {
    expect([txt.doc.format, md.doc.format, html.doc.format]).toEqual(['text', 'markdown', 'html']);
    expect([...txt.diagnostics, ...md.diagnostics, ...html.diagnostics]).toEqual([]);
  });

  it('gives the same blocks, character for character, and the same entry breaks in all three', () => {
    const expected = structure(txt.blocks);
    expect(structure(md.blocks)).toEqual(expected);
    expect(structure(html.blocks)).toEqual(expected);
  });

  it('has eight entries, each starting after a double gap', () => {
    const starts = structure(txt.blocks).filter(([, start]) => start).map(([text]) => text.slice(0, 24));
    expect(starts).toEqual([
      'Germany. Take-home nalox',
      'Drug-Checking in Thüring',
      'Kanada. Harbour Street O',
      'Peer navigation and hepa',
      'Netzwerk Schadensminderu',
      'UK. Mobile needle and sy',
      'Österreich. Substitution',
      'DUVN. Community-led moni',
    ]);
  });

  it('keeps the one link on the same block in Markdown and HTML', () => {
    const linked = (bd: BlockDocument): Array<[string, string[]]> =>
      bd.blocks.filter((b) => b.links.length).map((b) => [b.lines[0]!.text.slice(0, 20), b.links]);
    const expected = [['From April the van s', ['https://outreach.example.org/timetable']]];
    expect(linked(md)).toEqual(expected);
    expect(linked(html)).toEqual(expected);
  });

  it('never carries script text, event handlers or page chrome of the HTML page into a block', () => {
    const out = JSON.stringify(html.blocks);
    for (const bad of ['onclick', 'track(', 'Injected', 'dataLayer', 'fontSize', 'print', 'drucken', 'Cookies', 'Impressum', 'Startseite', 'Termine', 'Interner Hinweis', 'A- A A+', 'javascript']) {
      expect(out).not.toContain(bad);
    }
  });

  it('keeps the source line of every line in all three formats', () => {
    const txtSrc = source('page.txt').split('\n');
    for (const l of txt.blocks.flatMap((b) => b.lines)) expect(txtSrc[l.line - 1]).toBe(l.text);
    const mdSrc = source('page.md').split('\n');
    for (const l of md.blocks.flatMap((b) => b.lines)) {
      const plain = mdSrc[l.line - 1]!.replace(/^#+ /, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/(?<!\\)\*/g, '').replace(/\\(.)/g, '$1');
      expect(plain, `page.md line ${l.line}`).toContain(l.text.slice(0, 30));
    }
    const htmlSrc = source('page.html').split('\n');
    for (const l of html.blocks.flatMap((b) => b.lines)) {
      const plain = load(htmlSrc[l.line - 1]!).root().text().trim();
      expect(plain, `page.html line ${l.line}`).toContain(l.text.slice(0, 30));
    }
  });
});
