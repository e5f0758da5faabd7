import { describe, expect, it } from 'vitest';
import { parsePage } from '../extract/helpers.ts';

describe('a labelled link after a closed entry', () => {
  it('stays in the entry ("Mehr Informationen: https://…") and the note before it still gives source and date', () => {
    const entries = parsePage([
      'Neue BtMVV',
      '',
      'Die Änderungen treten am 30.05.2017 in Kraft.',
      '',
      '(Bundesministerium für Gesundheit, Deutschland, 22.05.2017)',
      '',
      'Mehr Informationen: https://www.bundesgesundheitsministerium.de/btmvv',
    ].join('\n'));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ source: 'Bundesministerium für Gesundheit', date: '2017-05-22', country: 'DE' });
  });

  it.each(['Naloxon: Anleitung zur Anwendung', 'Webinar: How to use naloxone (https://example.org)'])(
    'still opens a new entry with the title "%s" (a colon but no link right after it)',
    (title) => {
      const entries = parsePage(`First entry\n\nText of the first entry. (Filter, USA, 12.05.2021)\n\n${title}\n\nText.`);
      expect(entries.map((e) => e.title)).toEqual(['First entry', title]);
    },
  );
});
