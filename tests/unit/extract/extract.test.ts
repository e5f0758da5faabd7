import { describe, expect, it } from 'vitest';
import { bodyText } from '../../../src/extract/extract.ts';
import { draftOf, extractText } from './helpers.ts';

describe('extract', () => {
  it('reads every field of a news entry with its rule and line', () => {
    const ex = extractText('Kanada. Peers open a drop-in centre\n\nThe centre is run by peers.\nSee https://example.org/centre.\n\n(Times Colonist, Kanada, 10.09.2021)');
    expect(ex.fields.country).toMatchObject({ value: 'CA', rule: 'country/title-prefix', line: 1 });
    expect(ex.fields.source).toMatchObject({ value: 'Times Colonist', rule: 'source/note', line: 6 });
    expect(ex.fields.date).toMatchObject({ value: { date: '2021-09-10', precision: 'day', flag: null }, rule: 'date/note', line: 6 });
    expect(ex.fields.doi).toBeNull();
    expect(ex.fields.urls).toEqual(['https://example.org/centre']);
    expect(ex.sourceNote?.parts).toEqual(['Times Colonist', 'Kanada', '10.09.2021']);
    expect(ex.diagnostics).toEqual([]);
  });

  it('reads a citation entry: venue, date, DOI and PMID', () => {
    const ex = extractText(
      'Meaning of work for peers in overdose response\n\nPauly BB, Mamdani Z, Mesley L.\n\nInt J Drug Policy. 2020 Nov 9;88:103015. doi: 10.1016/j.drugpo.2020.103015. Epub ahead of print. PMID: 33176249.',
    );
    expect(ex.fields.source?.value).toBe('Int J Drug Policy');
    expect(ex.fields.date?.value).toEqual({ date: '2020-11-09', precision: 'day', flag: null });
    expect(ex.fields.doi?.value).toBe('10.1016/j.drugpo.2020.103015');
    expect(ex.fields.pmid?.value).toBe('33176249');
    expect(ex.fields.pmcid).toBeNull();
    expect(ex.fields.country).toBeNull();
  });

  it('reads the Drug Reporter note: first publisher, Hungarian slot, malformed date kept as year', () => {
    const ex = extractText('Peer workers in Budapest\n\nA report.\n\n(Drug Reporter, Ungarn, und INPUD – International Network of People who Use Drugs, 20.022020)');
    expect(ex.fields.source?.value).toBe('Drug Reporter');
    expect(ex.fields.country?.value).toBe('HU');
    expect(ex.fields.date?.value).toEqual({ date: '2020', precision: 'year', flag: 'invalid' });
  });

  it('reports an unclosed source note as a diagnostic with its line, and still reads it', () => {
    const ex = extractText('A title\n\nFirst paragraph.\n\nLast paragraph. (Org, USA, 15.97.2020', 'digest.txt', 4);
    expect(ex.sourceNote?.closed).toBe(false);
    expect(ex.fields.source?.value).toBe('Org');
    expect(ex.diagnostics).toMatchObject([{ code: 'source-note/unclosed', file: 'digest.txt', n: 4, line: 5 }]);
  });

  it('reads nothing from a title-only entry', () => {
    const ex = extractText('Kanada. DULF – Drug Users’ Liberation Front');
    expect(ex.body).toBe('');
    expect(ex.sourceNote).toBeNull();
    expect(ex.fields).toEqual({
      country: { value: 'CA', rule: 'country/title-prefix', line: 1, text: 'Kanada.' },
      source: null, date: null, doi: null, pmid: null, pmcid: null, urls: [],
    });
  });

  it('does not take a note that is not at the end of the entry', () => {
    const ex = extractText('A title\n\nA paragraph. (Filter, USA, 12.05.2021)\n\nAnother paragraph follows it.');
    expect(ex.sourceNote).toBeNull();
    expect(ex.fields.source).toBeNull();
    expect(ex.fields.date).toBeNull();
  });
});

describe('bodyText', () => {
  it('joins lines with a newline and blocks with a blank line, lines trimmed, title excluded', () => {
    expect(bodyText(draftOf('Title\n  line one \nline two\n\n\nnext block'))).toBe('line one\nline two\n\nnext block');
  });
});
