import { describe, expect, it } from 'vitest';
import { contentHash, foldForKey, naturalKey, titleKey } from '../../../src/dedupe/keys.ts';
import { entryOf } from '../extract/helpers.ts';

describe('foldForKey', () => {
  it('folds typographic and straight quotes and dashes to the same text', () => {
    expect(foldForKey('TAKING BACK WHAT’S OURS! – Episode 2')).toBe(foldForKey("Taking back what's ours! - Episode 2"));
    expect(foldForKey('„Anonyme Alkoholiker“ helfen')).toBe(foldForKey('"Anonyme Alkoholiker" helfen'));
    expect(foldForKey('12‐step programs')).toBe(foldForKey('12-step programs'));
  });

  it('collapses white space and no-break spaces and drops punctuation', () => {
    expect(foldForKey('  Treatment Action Group -\u00a0Research  in Action!  ')).toBe('treatment action group research in action');
  });

  it('keeps accented letters and digits, so different words stay different', () => {
    expect(foldForKey('Süchtig')).toBe('süchtig');
    expect(foldForKey('Episode 2')).not.toBe(foldForKey('Episode 3'));
  });
});

describe('titleKey', () => {
  it('ignores a country prefix', () => {
    expect(titleKey('Kanada. Opioids - A Survivors-Guide')).toBe(titleKey('Opioids – A Survivors‐Guide'));
  });

  it('keeps an organisation prefix, which is part of the title', () => {
    expect(titleKey('INPUD. A guide for networks')).not.toBe(titleKey('A guide for networks'));
  });

  it('keeps a short title apart from a longer title that starts with it', () => {
    expect(titleKey('USA. The Methadone Manifesto')).not.toBe(titleKey('USA. The Methadone Manifesto: A Powerful Blow Against the Clinic System'));
  });
});

describe('naturalKey', () => {
  it('joins the folded title, folded source and date', () => {
    expect(naturalKey({ title: 'Kanada. Peers – “Night” Shift', source: 'Times Colonist', date: '2021-09-10' })).toBe(
      'peers night shift|times colonist|2021-09-10',
    );
  });

  it('differs when only the source or only the date differs', () => {
    const base = { title: 'Peers open a centre', source: 'Filter', date: '2021-05-12' };
    expect(naturalKey({ ...base, source: 'Drug Reporter' })).not.toBe(naturalKey(base));
    expect(naturalKey({ ...base, date: '2021-05' })).not.toBe(naturalKey(base));
    expect(naturalKey({ ...base, source: null, date: null })).toBe('peers open a centre||');
  });
});

describe('contentHash', () => {
  it('is stable for the same values and changes when any value changes', () => {
    const a = entryOf('Peers open a centre\n\nA body.\n\n(Filter, USA, 12.05.2021)');
    const b = entryOf('Peers open a centre\n\nA body.\n\n(Filter, USA, 12.05.2021)', 'other.txt', 9);
    expect(contentHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash(b)).toBe(contentHash(a));
    expect(contentHash({ ...a, body: 'A body!' })).not.toBe(contentHash(a));
    expect(contentHash({ ...a, country: null })).not.toBe(contentHash(a));
  });
});
