import { describe, expect, it } from 'vitest';
import { foldTitle, segment } from '../../../src/segment/segment.ts';
import type { Block, EntryDraft } from '../../../src/types.ts';
import { blockDoc, testContext, textDoc } from '../extract/helpers.ts';

const run = (text: string) => segment(blockDoc(text, 'page.txt'), testContext());

/** Compact view of an entry: n, title line:title, body lines as `line:text`, end line, boundary. */
function view(e: EntryDraft) {
  return {
    n: e.n,
    title: `${e.titleLine}:${e.title}`,
    body: e.body.flatMap((b) => b.lines.map((l) => `${l.line}:${l.text}`)),
    endLine: e.endLine,
    closedBy: e.closedBy,
  };
}
const titles = (text: string) => run(text).entries.map((e) => e.title);

describe('segment', () => {
  it('starts a new entry after two blank lines', () => {
    const text = ['First item', '', 'Body of the first item.', '', '', 'Second item', '', 'Body of the second item.'].join('\n');
    expect(run(text).entries.map(view)).toEqual([
      { n: 1, title: '1:First item', body: ['3:Body of the first item.'], endLine: 3, closedBy: 'gap' },
      { n: 2, title: '6:Second item', body: ['8:Body of the second item.'], endLine: 8, closedBy: 'end-of-document' },
    ]);
  });

  it('keeps sub-headings and the list lines under them in the body when they follow one blank line', () => {
    const text = [
      'USA. A manifesto for clinics', '', 'Call to Action', '',
      'Clinics must change the rules that keep patients away from care.', '',
      'Case Studies', '', 'Network one: peers run the night shelter', '', 'Network two: a budget won for peers',
    ].join('\n');
    const { entries } = run(text);
    expect(entries.map(view)).toEqual([{
      n: 1,
      title: '1:USA. A manifesto for clinics',
      body: ['3:Call to Action', '5:Clinics must change the rules that keep patients away from care.', '7:Case Studies',
        '9:Network one: peers run the night shelter', '11:Network two: a budget won for peers'],
      endLine: 11,
      closedBy: 'end-of-document',
    }]);
  });

  it('keeps a title with nothing after it as an entry of its own', () => {
    const text = ['Kanada. DULF – Drug Users‘ Liberation Front', '', '', 'Next item', '', 'Its body.'].join('\n');
    expect(run(text).entries.map(view)).toEqual([
      { n: 1, title: '1:Kanada. DULF – Drug Users‘ Liberation Front', body: [], endLine: 1, closedBy: 'gap' },
      { n: 2, title: '4:Next item', body: ['6:Its body.'], endLine: 6, closedBy: 'end-of-document' },
    ]);
  });

  it('trims the title, no-break spaces included, and keeps its inner characters as written', () => {
    expect(titles('\u00a0 „Zitat“ – it’s\u00a0here\u00a0 \n\nBody.')).toEqual(['„Zitat“ – it’s\u00a0here']);
  });

  it('makes a stray repeated title line after a note-closed entry its own entry, and opens the next entry after one blank line', () => {
    const text = [
      'Episode 6. Peers in the south', '', 'We learn how peers built a network. (Drug Reporter, Ungarn, 10.08.2020)', '',
      'Episode 6. Peers in the south', '',
      'Episode 4. Peers in the west', '', 'Drug Reporter presents the fourth episode.',
    ].join('\n');
    expect(run(text).entries.map(view)).toEqual([
      { n: 1, title: '1:Episode 6. Peers in the south', body: ['3:We learn how peers built a network. (Drug Reporter, Ungarn, 10.08.2020)'], endLine: 3, closedBy: 'source-note' },
      { n: 2, title: '5:Episode 6. Peers in the south', body: [], endLine: 5, closedBy: 'repeated-title' },
      { n: 3, title: '7:Episode 4. Peers in the west', body: ['9:Drug Reporter presents the fourth episode.'], endLine: 9, closedBy: 'end-of-document' },
    ]);
  });

  it('makes a stray repeated title line after an entry with a plain body its own entry', () => {
    const text = ['Episode 6. Peers in the south', '', 'We learn how peers built a network.', '', 'Episode 6. Peers in the south', '', 'Episode 4. Peers in the west', '', 'Body four.'].join('\n');
    expect(titles(text)).toEqual(['Episode 6. Peers in the south', 'Episode 6. Peers in the south', 'Episode 4. Peers in the west']);
  });

  it('folds typographic quotes and dashes when it recognises a repeated title line', () => {
    const text = ['TAKING BACK WHAT’S OURS! – Episode 6', '', 'Body. (Drug Reporter, Ungarn, 10.08.2020)', '', "TAKING BACK WHAT'S OURS! - Episode 6", '', 'Next title', '', 'Next body.'].join('\n');
    expect(run(text).entries.map((e) => [e.title, e.closedBy])).toEqual([
      ['TAKING BACK WHAT’S OURS! – Episode 6', 'source-note'],
      ["TAKING BACK WHAT'S OURS! - Episode 6", 'repeated-title'],
      ['Next title', 'end-of-document'],
    ]);
  });

  it('makes a stray repeated title line after two blank lines its own entry when a title follows it after one blank line', () => {
    const text = ['Episode 6. Peers in the south', '', 'Body six.', '', '', 'Episode 6. Peers in the south', '', 'Episode 4. Peers in the west', '', 'Body four.'].join('\n');
    expect(run(text).entries.map((e) => [e.titleLine, e.title, e.body.length, e.closedBy])).toEqual([
      [1, 'Episode 6. Peers in the south', 1, 'gap'],
      [6, 'Episode 6. Peers in the south', 0, 'repeated-title'],
      [8, 'Episode 4. Peers in the west', 1, 'end-of-document'],
    ]);
  });

  // A one-line body that ends in its source note is body, never a title.
  it('keeps a repeated item with a one-paragraph body as one entry, its body not a title', () => {
    const text = [
      'Peers open a centre', '', 'The centre opened in May and is run by peers. (Filter, USA, 12.05.2021)', '', '',
      'Peers open a centre', '', 'The centre opened in May and is run by peers, a year on. (Drug Reporter, Ungarn, 12.05.2022)',
    ].join('\n');
    expect(run(text).entries.map((e) => [e.titleLine, e.title, e.body.flatMap((b) => b.lines.map((l) => l.line))])).toEqual([
      [1, 'Peers open a centre', [3]],
      [6, 'Peers open a centre', [8]],
    ]);
  });

  it('opens a new entry with a short title line after one blank line when a source note closed the previous one', () => {
    const text = ['First item', '', 'Its body. (Filter, USA, 12.05.2021)', '', 'Second item', '', 'Its body.'].join('\n');
    expect(titles(text)).toEqual(['First item', 'Second item']);
  });

  it('does not open a new entry after one blank line when nothing closed the previous one', () => {
    const text = ['First item', '', 'Its first paragraph.', '', 'Second paragraph, not a title'].join('\n');
    expect(run(text).entries.map(view)).toEqual([
      { n: 1, title: '1:First item', body: ['3:Its first paragraph.', '5:Second paragraph, not a title'], endLine: 5, closedBy: 'end-of-document' },
    ]);
  });

  it('does not open a new entry with a lower-case continuation line after a note-closed block', () => {
    const text = ['First item', '', 'Its body. (Filter, USA, 12.05.2021)', '', 'and a line that continues it'].join('\n');
    expect(titles(text)).toEqual(['First item']);
  });

  it('keeps a source note that spans a line break in one entry, closed by the note', () => {
    const text = ['A guide for peers', '', 'The guide is free to download. (Harm Reduction', 'International, UK, 02.03.2021)', '', 'Next item', '', 'Next body.'].join('\n');
    expect(run(text).entries.map(view)).toEqual([
      { n: 1, title: '1:A guide for peers', body: ['3:The guide is free to download. (Harm Reduction', '4:International, UK, 02.03.2021)'], endLine: 4, closedBy: 'source-note' },
      { n: 2, title: '6:Next item', body: ['8:Next body.'], endLine: 8, closedBy: 'end-of-document' },
    ]);
  });

  it('keeps a citation entry (title, authors, citation line with DOI) as one entry closed by the citation', () => {
    const text = [
      'Meaning of work for peers in overdose response', '',
      'Pauly BB, Mamdani Z, Mesley L, McKenzie S.', '',
      'Int J Drug Policy. 2020 Nov 9;88:103015. doi: 10.1016/j.drugpo.2020.103015.', '',
      'Next item after one blank line', '', 'Its body.',
    ].join('\n');
    expect(run(text).entries.map(view)).toEqual([
      {
        n: 1, title: '1:Meaning of work for peers in overdose response',
        body: ['3:Pauly BB, Mamdani Z, Mesley L, McKenzie S.', '5:Int J Drug Policy. 2020 Nov 9;88:103015. doi: 10.1016/j.drugpo.2020.103015.'],
        endLine: 5, closedBy: 'citation',
      },
      { n: 2, title: '7:Next item after one blank line', body: ['9:Its body.'], endLine: 9, closedBy: 'end-of-document' },
    ]);
  });

  it('keeps a PMID line that follows a DOI line after one blank line in the same entry', () => {
    const text = ['A trial of peer naloxone', '', 'Smith J, Doe A, Roe B.', '', 'doi: 10.1111/add.15324', '', 'PMID: 33176249'].join('\n');
    expect(run(text).entries.map(view)).toEqual([{
      n: 1, title: '1:A trial of peer naloxone', body: ['3:Smith J, Doe A, Roe B.', '5:doi: 10.1111/add.15324', '7:PMID: 33176249'], endLine: 7, closedBy: 'citation',
    }]);
  });

  it('keeps a Cochrane citation ending in "Art. No." together with its authors', () => {
    const text = ['Twelve-step programs for alcohol use', '', 'Kelly JF, Humphreys K, Ferri M.', '', 'Cochrane Database of Systematic Reviews 2020, Issue 3. Art. No.: CD012880.'].join('\n');
    expect(run(text).entries.map((e) => [e.title, e.body.length, e.closedBy])).toEqual([['Twelve-step programs for alcohol use', 2, 'citation']]);
  });

  it('drops the "A- A A+" chrome line with a segment/chrome diagnostic carrying file and line', () => {
    const { entries, diagnostics } = run(['A- A A+', '', 'First item', '', 'Its body.'].join('\n'));
    expect(entries.map(view)).toEqual([{ n: 1, title: '3:First item', body: ['5:Its body.'], endLine: 5, closedBy: 'end-of-document' }]);
    expect(diagnostics).toMatchObject([{ code: 'segment/chrome', severity: 'info', file: 'page.txt', line: 1, n: null }]);
  });

  it('does not drop a line that only contains the chrome words among others', () => {
    const { entries, diagnostics } = run('A- A A+ rated services for peers\n\nBody.');
    expect(entries.map((e) => e.title)).toEqual(['A- A A+ rated services for peers']);
    expect(diagnostics).toEqual([]);
  });

  it('numbers entries from 1 in document order and names the file on each', () => {
    const { entries } = run(['One', '', '', 'Two', '', '', 'Three'].join('\n'));
    expect(entries.map((e) => [e.file, e.n, e.title, e.titleLine])).toEqual([
      ['page.txt', 1, 'One', 1],
      ['page.txt', 2, 'Two', 4],
      ['page.txt', 3, 'Three', 7],
    ]);
  });

  it('puts the rest of the title block first in the body, directly adjacent', () => {
    const { entries } = run('A title\nright under it\n\nA paragraph.');
    expect(entries[0]!.body.map((b) => [b.gapBefore, b.lines.map((l) => l.line)])).toEqual([[0, [2]], [1, [4]]]);
  });

  it('starts a new entry at a heading block even after one blank line', () => {
    const blocks: Block[] = [
      { kind: 'heading', lines: [{ text: 'First heading', line: 1 }], gapBefore: 2, links: [] },
      { kind: 'paragraph', lines: [{ text: 'Body one.', line: 3 }], gapBefore: 1, links: ['https://example.org/a'] },
      { kind: 'heading', lines: [{ text: 'Second heading', line: 5 }], gapBefore: 1, links: [] },
    ];
    const { entries } = segment({ doc: textDoc('', 'page.md'), blocks, diagnostics: [] }, testContext());
    expect(entries.map((e) => [e.title, e.links])).toEqual([['First heading', ['https://example.org/a']], ['Second heading', []]]);
  });

  it('returns no entries and no diagnostics for a document without blocks', () => {
    expect(run('')).toEqual({ entries: [], diagnostics: [] });
  });
});

describe('foldTitle', () => {
  it('folds case, white space, no-break spaces, typographic quotes and dashes', () => {
    expect(foldTitle('  TAKING BACK WHAT’S\u00a0OURS! – „Episode“ ')).toBe(foldTitle('Taking back what\'s ours! - "Episode"'));
  });

  it('keeps different words apart', () => {
    expect(foldTitle('The Methadone Manifesto')).not.toBe(foldTitle('The Methadone Manifesto: A Powerful Blow'));
  });
});
