import { describe, expect, it } from 'vitest';
import { isRejected, titlePastedAt, titleWithoutPrefix } from '../../../src/quality/quality.ts';
import { entryOf } from '../extract/helpers.ts';

const codes = (text: string) => entryOf(text, 'digest.txt', 5).diagnostics.map((d) => d.code);

describe('checkQuality', () => {
  it('builds the entry from the extracted fields, with each value\'s provenance', () => {
    const e = entryOf('Kanada. Peers open a drop-in centre\n\nThe centre is run by peers and opens every night of the week for anyone who needs a place to rest.\n\n(Times Colonist, Kanada, 10.09.2021)', 'digest.txt', 5);
    expect(e).toMatchObject({
      file: 'digest.txt', n: 5, title: 'Kanada. Peers open a drop-in centre', source: 'Times Colonist', country: 'CA',
      date: '2021-09-10', datePrecision: 'day', dateFlag: null, doi: null, pmid: null, pmcid: null, language: 'en', titleLine: 1, endLine: 5,
    });
    expect(e.provenance).toMatchObject({
      title: { rule: 'title/first-line', line: 1 },
      country: { rule: 'country/title-prefix', line: 1, text: 'Kanada.' },
      source: { rule: 'source/note', line: 5 },
      date: { rule: 'date/note', line: 5, text: '10.09.2021' },
      doi: null,
    });
    expect(e.diagnostics).toEqual([]);
  });

  it('flags a title glued into the body mid-word as text/title-repeated-in-body, on the body line', () => {
    const title = 'USA. The cycle of prison and addiction is a costly mistake';
    const e = entryOf(`${title}\n\nMany people are stigmatiz${title}ed by the system and lose their homes.\n\n(Org, USA, 12.05.2021)`, 'digest.txt', 5);
    const d = e.diagnostics.find((x) => x.code === 'text/title-repeated-in-body');
    expect(d).toMatchObject({ severity: 'warning', file: 'digest.txt', n: 5, line: 3 });
  });

  it('does not flag a body that starts by repeating the organisation name at a word boundary', () => {
    expect(codes('The Australian League of Peer Workers (ALPW)\n\nThe Australian League of Peer Workers (ALPW) is the national peak body for peers.')).not.toContain(
      'text/title-repeated-in-body',
    );
    expect(codes('The Australian League of Peer Workers\n\nThe Australian League of Peer Workers is the national peak body for peers.')).not.toContain(
      'text/title-repeated-in-body',
    );
  });

  it('flags an impossible note date as date/invalid with file, n, the note line and the text seen', () => {
    const e = entryOf('A title for the entry\n\nA body.\n\n(Org, USA, 15.97.2020)', 'digest.txt', 5);
    expect(e).toMatchObject({ date: '2020', datePrecision: 'year', dateFlag: 'invalid' });
    expect(e.diagnostics.filter((d) => d.code === 'date/invalid')).toMatchObject([
      { severity: 'warning', file: 'digest.txt', n: 5, line: 5, excerpt: '15.97.2020' },
    ]);
  });

  it('flags an access date as date/accessed and not as date/missing', () => {
    const c = codes('A title for the entry\n\n(Deutsche Aidshilfe, aufgerufen 12.03.2023)');
    expect(c).toContain('date/accessed');
    expect(c).not.toContain('date/missing');
    expect(c).not.toContain('date/invalid');
  });

  it('flags a missing source and a missing date on the title line, with file and n', () => {
    const e = entryOf('\nA title for the entry\n\nA body without any note.', 'digest.txt', 5);
    expect(e.diagnostics.filter((d) => d.code === 'source/missing' || d.code === 'date/missing')).toMatchObject([
      { code: 'source/missing', severity: 'info', file: 'digest.txt', n: 5, line: 2 },
      { code: 'date/missing', severity: 'info', file: 'digest.txt', n: 5, line: 2 },
    ]);
  });

  it('raises no source, date or text diagnostics for an entry with a full source note', () => {
    const c = codes('A title for the entry\n\nA body.\n\n(Filter, USA, 12.05.2021)');
    expect(c.filter((x) => !x.startsWith('language/'))).toEqual([]);
  });

  it('rejects an entry whose title has no letters or digits, and only that one', () => {
    const bad = entryOf('* * *\n\nA body.', 'digest.txt', 5);
    expect(bad.diagnostics.find((d) => d.code === 'entry/empty-title')).toMatchObject({ severity: 'error', line: 1 });
    expect(isRejected(bad)).toBe(true);
    expect(isRejected(entryOf('1st November 2020\n\nA body.'))).toBe(false);
  });
});

describe('titlePastedAt', () => {
  const title = 'USA. The cycle of prison and addiction is a costly mistake';

  it('finds the title glued to a letter before it or after it', () => {
    expect(titlePastedAt(title, `stigmatiz${title} and more`)).toBe(title);
    expect(titlePastedAt(title, `and more ${title}ed by it`)).toBe(title);
  });

  it('finds the title without its country prefix glued to a letter', () => {
    expect(titlePastedAt(title, 'stigmatizThe cycle of prison and addiction is a costly mistake.')).toBe('The cycle of prison and addiction is a costly mistake');
  });

  it.each([
    ['the title at the start of the body', `${title} is what the author argues.`],
    ['the title quoted in a sentence', `The author calls it "${title}".`],
    ['a body that does not contain the title', 'A body about something else.'],
  ])('finds nothing for %s', (_what, body) => {
    expect(titlePastedAt(title, body)).toBeNull();
  });

  it('ignores titles shorter than 20 characters', () => {
    expect(titlePastedAt('Peer network', 'thePeer networks')).toBeNull();
  });
});

describe('titleWithoutPrefix', () => {
  it('drops a country prefix and keeps every other title unchanged', () => {
    expect(titleWithoutPrefix('Kanada. Drug Users’ Liberation Front')).toBe('Drug Users’ Liberation Front');
    expect(titleWithoutPrefix('Süd-Afrika.\u00a0Episode 4')).toBe('Episode 4');
    expect(titleWithoutPrefix('INPUD. Surviving and Thriving')).toBe('INPUD. Surviving and Thriving');
    expect(titleWithoutPrefix('Episode 9. Russia. Georgia and Ukraine')).toBe('Episode 9. Russia. Georgia and Ukraine');
  });
});
