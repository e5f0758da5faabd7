import { describe, expect, it } from 'vitest';
import { isValidDay, readDate } from '../../../src/extract/dates.ts';

/** The value part of a hit, without rule and text. */
const dateOf = (text: string) => {
  const hit = readDate(text);
  return hit && { date: hit.date, precision: hit.precision, flag: hit.flag };
};

describe('readDate', () => {
  it.each([
    ['12.05.2021', '2021-05-12', 'day'],
    ['1.6.2019', '2019-06-01', 'day'],
    ['05.02.2006', '2006-02-05', 'day'],
    ['Juni 2022', '2022-06', 'month'],
    ['Mai 2019', '2019-05', 'month'],
    ['März 2021', '2021-03', 'month'],
    ['September 2022', '2022-09', 'month'],
    ['(2021)', '2021', 'year'],
    ['2020 Nov 9', '2020-11-09', 'day'],
    ['2022 Oct', '2022-10', 'month'],
    ['2022;5(11):e2241174', '2022', 'year'],
    ['Cochrane Database of Systematic Reviews 2020, Issue 3', '2020', 'year'],
    ['1st November 2020', '2020-11-01', 'day'],
    ['12. März 2021', '2021-03-12', 'day'],
    ['2021-05-12', '2021-05-12', 'day'],
  ])('reads "%s" as %s at %s precision', (text, date, precision) => {
    expect(dateOf(text)).toEqual({ date, precision, flag: null });
  });

  it('names the rule and the characters it read', () => {
    expect(readDate('Filter, 12.05.2021')).toMatchObject({ rule: 'dotted', text: '12.05.2021' });
    expect(readDate('Juni 2022')).toMatchObject({ rule: 'monthname-year', text: 'Juni 2022' });
  });

  it.each([
    ['15.97.2020', '2020'],
    ['31.02.2021', '2021'],
    ['29.02.2021', '2021'],
    ['20.022020', '2020'],
  ])('flags the impossible or malformed date "%s" as invalid and keeps only the year %s', (text, year) => {
    expect(dateOf(text)).toEqual({ date: year, precision: 'year', flag: 'invalid' });
  });

  it('accepts 29 February in a leap year', () => {
    expect(dateOf('29.02.2020')).toEqual({ date: '2020-02-29', precision: 'day', flag: null });
  });

  it('flags an access date as accessed and keeps its value', () => {
    expect(dateOf('aufgerufen 12.03.2023')).toEqual({ date: '2023-03-12', precision: 'day', flag: 'accessed' });
    expect(dateOf('accessed on 3 March 2023')).toEqual({ date: '2023-03-03', precision: 'day', flag: 'accessed' });
  });

  it('keeps the invalid flag of an impossible access date rather than calling it accessed', () => {
    expect(dateOf('aufgerufen 41.03.2023')).toEqual({ date: '2023', precision: 'year', flag: 'invalid' });
  });

  // chrono-style list of strings that must not parse as dates.
  it.each([
    'Video, 35:09',
    '24:54',
    '501(c)(3)',
    'Issue 3',
    '10.000 Teilnehmern',
    'CD012880',
    'Art. No.: CD012880',
    '10.1016/j.drugpo.2020.103015',
    'doi.org/10.5281/zenodo.5514066',
    'Homepage',
    'Seite 12',
    'Drug Reporter',
    '',
  ])('reads no date from "%s"', (text) => {
    expect(readDate(text)).toBeNull();
  });
});

describe('isValidDay', () => {
  it('accepts real calendar days and rejects impossible ones', () => {
    expect(isValidDay(2021, 5, 12)).toBe(true);
    expect(isValidDay(2020, 2, 29)).toBe(true);
    expect(isValidDay(2021, 2, 29)).toBe(false);
    expect(isValidDay(2020, 97, 15)).toBe(false);
    expect(isValidDay(2020, 0, 1)).toBe(false);
    expect(isValidDay(2020, 1, 0)).toBe(false);
  });
});
