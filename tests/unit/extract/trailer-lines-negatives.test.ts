import { describe, expect, it } from 'vitest';
import { isTrailerLine } from '../../../src/extract/source-note.ts';
import { entryOf, parsePage } from './helpers.ts';

describe('trailer lines after a source note', () => {
  it.each(['Video, 35:09', 'PDF, 2 MB', 'Mehr Informationen: https://example.org/x', 'www.example.org', 'PMID: 33176249'])(
    'takes "%s" as a trailer line',
    (line) => expect(isTrailerLine(line)).toBe(true),
  );

  it.each(['Video: How to use naloxone', 'Interview mit einem Peer-Berater', 'English summary of the report', 'Podcast: Episode 3', 'Seite an Seite'])(
    'does not take the title "%s" as a trailer line',
    (line) => expect(isTrailerLine(line)).toBe(false),
  );

  it('reads the note before a "Video, 35:09" line and still opens the next entry after one blank line', () => {
    const entries = parsePage('USA. Fentanyl deaths rise\n\nDeaths rose again. (CDC, USA, 01.02.2022)\nVideo, 35:09\n\nVideo: How to use naloxone\n\nA short film.');
    expect(entries.map((e) => [e.title, e.source, e.date])).toEqual([
      ['USA. Fentanyl deaths rise', 'CDC', '2022-02-01'],
      ['Video: How to use naloxone', null, null],
    ]);
  });
});

describe('a source note on the title line of a body-less entry', () => {
  it('gives source, country and date', () => {
    expect(entryOf('Safe supply expands in BC (CBC News, Kanada, 12.05.2021)')).toMatchObject({ source: 'CBC News', country: 'CA', date: '2021-05-12' });
  });

  it.each(['Report on overdose deaths (2021)', 'Drugs (and alcohol) in prisons', 'EUROPEAN NETWORK OF CONSUMPTION ROOM PROVIDERS (ENCORE)', 'Naloxone saves lives (Homepage)'])(
    'takes nothing from "%s"',
    (title) => expect(entryOf(title)).toMatchObject({ source: null, date: null, country: null }),
  );
});
