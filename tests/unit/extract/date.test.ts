import { describe, expect, it } from 'vitest';
import { DATE_RULES } from '../../../src/extract/date.ts';
import { firstMatch } from '../../../src/extract/rule.ts';
import { ruleInput } from './helpers.ts';

const dateOf = (text: string) => firstMatch(DATE_RULES, ruleInput(text));

describe('DATE_RULES', () => {
  it('takes the date from the source note, with the note line and part as provenance', () => {
    expect(dateOf('A title\n\nA body.\n\n(Filter, USA, 12.05.2021)')).toEqual({
      value: { date: '2021-05-12', precision: 'day', flag: null }, rule: 'date/note', line: 5, text: '12.05.2021',
    });
  });

  it('reads a German month in the note at month precision', () => {
    expect(dateOf('A title\n\n(TAG, USA, Juni 2022)')?.value).toEqual({ date: '2022-06', precision: 'month', flag: null });
  });

  it('does not let a running time after the date change it', () => {
    expect(dateOf('A film\n\nA body.\n\n(Peer Network, Kanada, 15.09.2022, Video, 35:09)')?.value).toEqual({
      date: '2022-09-15', precision: 'day', flag: null,
    });
  });

  it('keeps an impossible note date as invalid with only its year', () => {
    expect(dateOf('A title\n\nA body. (Org, USA, 15.97.2020)')?.value).toEqual({ date: '2020', precision: 'year', flag: 'invalid' });
  });

  it('marks a note date written as an access date', () => {
    expect(dateOf('A title\n\n(Deutsche Aidshilfe, aufgerufen 12.03.2023)')?.value).toEqual({
      date: '2023-03-12', precision: 'day', flag: 'accessed',
    });
  });

  it.each([
    ['Vancouver', 'Int J Drug Policy. 2020 Nov 9;88:103015.', { date: '2020-11-09', precision: 'day' }],
    ['JAMA', 'JAMA Netw Open. 2022;5(11):e2241174.', { date: '2022', precision: 'year' }],
    ['MMWR', 'MMWR Morb Mortal Wkly Rep 2021;70:202–207.', { date: '2021', precision: 'year' }],
    ['Cochrane', 'Cochrane Database of Systematic Reviews 2020, Issue 3. Art. No.: CD012880.', { date: '2020', precision: 'year' }],
    ['APA', 'Antoniou, T., Men, S. (2020) Addiction, doi.org/10.1111/add.15324.', { date: '2020', precision: 'year' }],
    ['corporate', 'Community Action Network. (2018), Dublin: Community Action Network.', { date: '2018', precision: 'year' }],
  ])('takes the date of a %s citation line', (_style, line, value) => {
    const hit = dateOf(`A study title\n\nSmith J, Doe A, Roe B.\n\n${line}`);
    expect(hit?.value).toEqual({ ...value, flag: null });
    expect(hit?.rule).toBe('date/citation');
    expect(hit?.line).toBe(5);
  });

  it('does not take an event date written in the prose as the entry date', () => {
    const text = 'Awards night\n\nJoin us on Thursday, November 19, 2020 for our first virtual awards.\n\nHONORING: three people';
    expect(dateOf(text)).toBeNull();
  });

  it('takes the note date, not an earlier date in the prose', () => {
    const text = 'Awards night\n\nJoin us on Thursday, November 19, 2020 for the awards.\n\n(Treatment Action Group, USA, 02.11.2020)';
    expect(dateOf(text)?.value.date).toBe('2020-11-02');
  });

  it('does not take a year named in a title as the entry date', () => {
    expect(dateOf('1st November 2020: A day of action\n\nToday the community comes together.')).toBeNull();
  });

  it('finds no date in a note that names only a publisher', () => {
    expect(dateOf('A title\n\n(Homepage)')).toBeNull();
  });
});
