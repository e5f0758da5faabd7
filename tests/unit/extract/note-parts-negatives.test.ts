import { describe, expect, it } from 'vitest';
import { sourceFromNoteParts } from '../../../src/extract/source.ts';
import { classifyPart } from '../../../src/extract/source-note.ts';

describe('note parts introduced by a date word', () => {
  it.each(['veröffentlicht am 21.07.2021', 'erschienen 2021', 'published on 3 May 2021', 'vom 12.05.2021', 'aufgerufen am 12.03.2023'])(
    'takes "%s" as the date part',
    (part) => expect(classifyPart(part)).toBe('date'),
  );
  it.each(['Vom Rausch zur Sucht 2021', 'Erschienen im Verlag 2020 Edition', 'Institute for 2020 Studies', 'Published Research Group'])(
    'takes "%s" as a name, not a date',
    (part) => expect(classifyPart(part)).toBe('name'),
  );
});

describe('names in a note that are no publisher', () => {
  it.each([
    [['Pressemitteilung', 'Deutsche Gesellschaft für Suchtmedizin', '12.05.2021'], 'Deutsche Gesellschaft für Suchtmedizin'],
    [['Video', 'Drug Reporter', 'Ungarn', '2020'], 'Drug Reporter'],
    [['Drug Reporter und INPUD', '27.07.2020', 'Video', '24:54'], 'Drug Reporter und INPUD'],
  ])('reads %j as %s', (parts, source) => {
    expect(sourceFromNoteParts(parts)).toBe(source);
  });
  it.each([[['Homepage']], [['Pressemitteilung', '12.05.2021']], [['PDF']], [['Video', '35:09']]])('reads no source from %j', (parts) => {
    expect(sourceFromNoteParts(parts)).toBeNull();
  });
});
