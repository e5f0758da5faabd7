import { describe, expect, it } from 'vitest';
import { chronoDate, readDate } from '../../../src/extract/dates.ts';

/** A fixed, seeded sequence of calendar days from 1990 to 2029 (no clock, no Math.random). */
function days(count: number): Array<{ y: number; m: number; d: number }> {
  const out: Array<{ y: number; m: number; d: number }> = [];
  let x = 12345;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const t = Date.UTC(1990, 0, 1) + (x % (40 * 365)) * 86_400_000;
    const date = new Date(t);
    out.push({ y: date.getUTCFullYear(), m: date.getUTCMonth() + 1, d: date.getUTCDate() });
  }
  return out;
}

const DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
const EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const EN_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Forms the rules read first and chrono (the fallback) also reads, with the precision stated. */
const FORMS: Array<{ name: string; text: (x: { y: number; m: number; d: number }) => string; precision: 'day' | 'month' }> = [
  { name: 'dd.mm.yyyy', text: ({ y, m, d }) => `${p2(d)}.${p2(m)}.${y}`, precision: 'day' },
  { name: 'd.m.yyyy', text: ({ y, m, d }) => `${d}.${m}.${y}`, precision: 'day' },
  { name: 'd. Monat yyyy', text: ({ y, m, d }) => `${d}. ${DE[m - 1]} ${y}`, precision: 'day' },
  { name: 'd Month yyyy', text: ({ y, m, d }) => `${d} ${EN[m - 1]} ${y}`, precision: 'day' },
  { name: 'Month d, yyyy', text: ({ y, m, d }) => `${EN[m - 1]} ${d}, ${y}`, precision: 'day' },
  { name: 'yyyy Mon d (citation)', text: ({ y, m, d }) => `${y} ${EN_SHORT[m - 1]} ${d}`, precision: 'day' },
  { name: 'yyyy Mon (citation)', text: ({ y, m }) => `${y} ${EN_SHORT[m - 1]}`, precision: 'month' },
  { name: 'yyyy-mm-dd', text: ({ y, m, d }) => `${y}-${p2(m)}-${p2(d)}`, precision: 'day' },
  { name: 'Month yyyy (English)', text: ({ y, m }) => `${EN[m - 1]} ${y}`, precision: 'month' },
  { name: 'mm/yyyy', text: ({ y, m }) => `${p2(m)}/${y}`, precision: 'month' },
];

describe('the date rules (fast path) and chrono (the fallback)', () => {
  const sample = days(300);
  for (const form of FORMS) {
    it(`give the same date and precision for ${sample.length} dates written as ${form.name}`, () => {
      for (const x of sample) {
        const text = form.text(x);
        const fast = readDate(text);
        const slow = chronoDate(text);
        expect(fast?.rule.startsWith('chrono'), text).toBe(false);
        expect({ text, date: fast?.date, precision: fast?.precision, flag: fast?.flag }).toEqual({ text, date: slow?.date, precision: slow?.precision, flag: slow?.flag });
        expect(fast?.precision).toBe(form.precision);
      }
    });
  }

  it('read the same dates inside a source note part and a citation line', () => {
    for (const x of sample.slice(0, 50)) {
      for (const text of [`Fachverband Sucht, Schweiz, ${p2(x.d)}.${p2(x.m)}.${x.y}`, `Harm Reduct J. ${x.y} ${EN_SHORT[x.m - 1]} ${x.d};21(1):45. doi: 10.1186/s12954-024-0001-1`]) {
        const fast = readDate(text);
        const slow = chronoDate(text);
        expect({ date: fast?.date, precision: fast?.precision }, text).toEqual({ date: slow?.date, precision: slow?.precision });
      }
    }
  });

  it('read German month-year forms that chrono does not read at all ("Juni 2022", "Dez. 2019")', () => {
    for (const [text, date] of [['Juni 2022', '2022-06'], ['Mai 2019', '2019-05'], ['Dez. 2019', '2019-12'], ['März 2020', '2020-03']] as const) {
      expect(chronoDate(text)).toBeNull();
      expect(readDate(text)).toMatchObject({ date, precision: 'month', flag: null });
    }
  });

  it('differ from chrono only where chrono is wrong or silent: a month range is dated by its first month', () => {
    expect(chronoDate('Juli/August 2021')?.date).toBe('2021-08');
    expect(readDate('Juli/August 2021')).toMatchObject({ date: '2021-07', rule: 'month-range-year' });
  });
});
