import { describe, expect, it } from 'vitest';
import { classifyPart, findSourceNote, splitTopLevel, stripNote } from '../../../src/extract/source-note.ts';
import { block } from './helpers.ts';

describe('findSourceNote', () => {
  it('splits a closing note into its comma-separated parts', () => {
    expect(findSourceNote(block(['Peers run the service. (Filter, USA, 12.05.2021)'], 7))).toEqual({
      inner: 'Filter, USA, 12.05.2021', line: 7, closed: true, parts: ['Filter', 'USA', '12.05.2021'],
    });
  });

  it('keeps nested parentheses inside one part', () => {
    const note = findSourceNote(block(['(Cochrane Deutschland Stiftung (CDS), 11.03.2020)']));
    expect(note?.parts).toEqual(['Cochrane Deutschland Stiftung (CDS)', '11.03.2020']);
    expect(note?.closed).toBe(true);
  });

  it('finds a note that stands alone in its block', () => {
    expect(findSourceNote(block(['(International Network of People who Use Drugs, UK, September 2022)']))?.parts).toEqual([
      'International Network of People who Use Drugs', 'UK', 'September 2022',
    ]);
  });

  it('reads a note that spans a line break as one note, on the line where it opens', () => {
    const note = findSourceNote(block(['The report is free to download. (Harm Reduction', 'International, UK, 02.03.2021)'], 10));
    expect(note).toEqual({
      inner: 'Harm Reduction International, UK, 02.03.2021', line: 10, closed: true,
      parts: ['Harm Reduction International', 'UK', '02.03.2021'],
    });
  });

  it('reads a note with one ")" too many, spanning a line break, from the "(" after the last full stop', () => {
    const note = findSourceNote(block([
      'A research program on social work. (The Federal Ministry of Health (BMG), Frankfurt University of Applied Sciences, Excellence Centers for Development) and',
      'the German Development Institute / Deutsches Institut)',
    ], 20));
    expect(note).toMatchObject({ line: 20, closed: true });
    expect(note?.parts[0]).toBe('The Federal Ministry of Health (BMG)');
  });

  it('reports a note that is opened at the end but never closed', () => {
    expect(findSourceNote(block(['The network met twice. (Org, USA, 15.97.2020'], 3))).toEqual({
      inner: 'Org, USA, 15.97.2020', line: 3, closed: false, parts: ['Org', 'USA', '15.97.2020'],
    });
  });

  it('takes "(Homepage)" as a note even though it names no publisher', () => {
    expect(findSourceNote(block(['(Homepage)']))?.parts).toEqual(['Homepage']);
  });

  it.each([
    ['a link', 'Test strips work. (Filter, USA, 12.05.2021) https://filtermag.org/strips'],
    ['a labelled link', 'Test strips work. (Filter, USA, 12.05.2021) Mehr: www.example.org/a'],
    ['extras', 'Test strips work. (Filter, USA, 12.05.2021) Video, 35:09'],
  ])('finds the note when %s follows it on the same line', (_what, text) => {
    expect(findSourceNote(block([text], 4))).toEqual({ inner: 'Filter, USA, 12.05.2021', line: 4, closed: true, parts: ['Filter', 'USA', '12.05.2021'] });
  });

  it('finds no note when text that is not a trailer follows the ")"', () => {
    expect(findSourceNote(block(['The service (Filter, USA, 12.05.2021) is open on Sundays.']))).toBeNull();
    expect(findSourceNote(block(['See (Filter, USA, 12.05.2021) and https://example.org']))).toBeNull();
  });

  it('keeps trailing white space and no-break spaces out of the note', () => {
    expect(findSourceNote(block(['(Filter, USA, 12.05.2021)\u00a0 ']))?.inner).toBe('Filter, USA, 12.05.2021');
  });

  it.each([
    ['an acronym inside a sentence', 'The league (AIVL) runs programs across the country.'],
    ['an acronym at the end of a sentence fragment', 'Members met the Australian Injecting and Illicit Drug Users League (AIVL)'],
    ['an ellipsis at the start', '(…) Mothers across the region gathered to remember their children.'],
    ['an aside in the middle', 'The network (founded in 2006, in Kanada) grew fast and is still growing.'],
    ['a lower-case aside at the end', 'The guide is short and clear (see page 4)'],
    ['no parenthesis at all', 'A body without any note.'],
    ['an open parenthesis that does not end like a note', 'Peers said the service (which opened last year is popular'],
  ])('finds no note in %s', (_what, text) => {
    expect(findSourceNote(block([text]))).toBeNull();
  });
});

describe('splitTopLevel', () => {
  it('splits on top-level commas only and collapses white space', () => {
    expect(splitTopLevel(' A (B, C),  D\u00a0E ,, F ')).toEqual(['A (B, C)', 'D E', 'F']);
  });
});

describe('classifyPart', () => {
  it.each([
    ['USA', 'country'],
    ['Ungarn', 'country'],
    ['12.05.2021', 'date'],
    ['Juni 2022', 'date'],
    ['(2021)', 'date'],
    ['15.97.2020', 'date'],
    ['20.022020', 'date'],
    ['aufgerufen 12.03.2023', 'date'],
    ['Video', 'extra'],
    ['35:09', 'extra'],
    ['PDF', 'extra'],
    ['Filter', 'name'],
    ['Institute for 2020 Studies', 'name'],
    ['Frankfurt University of Applied Sciences', 'name'],
    ['deutschsprachige Region', 'name'],
    ['INPUD', 'name'],
  ])('classifies "%s" as %s', (part, kind) => {
    expect(classifyPart(part)).toBe(kind);
  });
});

describe('stripNote', () => {
  it('removes the note from the end of the text and nothing else', () => {
    const text = 'Peers run the service.\n(Filter, USA, 12.05.2021)';
    const note = findSourceNote(block(text.split('\n')));
    expect(stripNote(text, note)).toBe('Peers run the service.');
  });

  it('returns the text unchanged when there is no note', () => {
    expect(stripNote('Peers run the service.', null)).toBe('Peers run the service.');
  });
});
