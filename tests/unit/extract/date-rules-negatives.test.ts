import { describe, expect, it } from 'vitest';
import { readDate } from '../../../src/extract/dates.ts';
import { classifyPart, splitTopLevel } from '../../../src/extract/source-note.ts';

const dateOf = (text: string) => {
  const hit = readDate(text);
  return hit && { date: hit.date, precision: hit.precision, flag: hit.flag, rule: hit.rule };
};

describe('dotted-short-year', () => {
  it('reads "12.05.21" as 12 May 2021 when the date is the whole text', () => {
    expect(dateOf('12.05.21')).toEqual({ date: '2021-05-12', precision: 'day', flag: null, rule: 'dotted-short-year' });
  });
  it('flags an impossible short date as invalid and keeps the year', () => {
    expect(dateOf('31.02.21')).toEqual({ date: '2021', precision: 'year', flag: 'invalid', rule: 'dotted-short-year' });
  });
  it.each(['Version 1.2.10', 'Kapitel 3.1.12', 'Tel. 12.34.56', '12.05.21 und 13.05.21', '1.2.3', '10.000'])(
    'reads no two-digit-year date from "%s"',
    (text) => expect(readDate(text)?.rule).not.toBe('dotted-short-year'),
  );
});

describe('month-range-year', () => {
  it.each([
    ['Juli/August 2021', '2021-07'],
    ['July–August 2021', '2021-07'],
    ['Nov.-Dez. 2020', '2020-11'],
  ])('reads the double issue "%s" as its first month %s', (text, date) => {
    expect(dateOf(text)).toEqual({ date, precision: 'month', flag: null, rule: 'month-range-year' });
  });
  it.each(['Juli/August', 'Mai-Aktion 2021', 'Mai bis Juli 2021'])('does not read "%s" as a month range', (text) => {
    expect(readDate(text)?.rule).not.toBe('month-range-year');
  });
});

describe('season-year', () => {
  it.each(['Sommer 2021', 'Frühjahr 2021', 'Winter 2021', 'Spring 2021'])('reads "%s" as the year 2021', (text) => {
    expect(dateOf(text)).toEqual({ date: '2021', precision: 'year', flag: null, rule: 'season-year' });
  });
  it.each(['Sommerfest 2021', 'Winterhilfe', 'Summer school'])('does not read "%s" as a season', (text) => {
    expect(readDate(text)?.rule).not.toBe('season-year');
  });
});

describe('qualified-date', () => {
  it.each([
    ['Ende 2020', '2020', 'year'],
    ['Anfang 2022', '2022', 'year'],
    ['Mitte Mai 2019', '2019-05', 'month'],
    ['Ende Sept. 2021', '2021-09', 'month'],
    ['late 2021', '2021', 'year'],
    ['Mid-2020', '2020', 'year'],
    ['end of May 2022', '2022-05', 'month'],
  ])('reads "%s" as %s', (text, date, precision) => {
    expect(dateOf(text)).toEqual({ date, precision, flag: null, rule: 'qualified-date' });
  });
  it('makes the part a date of the source note, not a name', () => {
    expect(classifyPart('Ende 2020')).toBe('date');
    expect(classifyPart('Anfang März 2021')).toBe('date');
  });
  it.each(['Ende Gelände 2021', 'Legende 2020', 'Dividende 2021', 'Weekend 2021', 'Midlands 2020'])('does not read "%s" as a qualified date', (text) => {
    expect(readDate(text)?.rule).not.toBe('qualified-date');
  });
});

describe('source-note parts around an English date', () => {
  it('keeps "May 12, 2021" as one date part', () => {
    expect(splitTopLevel('The Local, Dänemark, May 12, 2021')).toEqual(['The Local', 'Dänemark', 'May 12, 2021']);
    expect(classifyPart('May 12, 2021')).toBe('date');
  });
  it.each([
    ['Mai 12, Berlin', ['Mai 12', 'Berlin']],
    ['Haus 12, 2021', ['Haus 12', '2021']],
    ['Filter, USA, 2021', ['Filter', 'USA', '2021']],
  ])('does not join the parts of "%s"', (inner, parts) => {
    expect(splitTopLevel(inner)).toEqual(parts);
  });
});
