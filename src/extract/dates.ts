import * as chrono from 'chrono-node';
import type { DatePrecision, DateValue } from '../types.ts';

/** German and English month names and abbreviations -> month number. */
export const MONTHS: Record<string, number> = {
  januar: 1, jänner: 1, jaenner: 1, january: 1, jan: 1,
  februar: 2, february: 2, feb: 2, febr: 2,
  märz: 3, maerz: 3, march: 3, mär: 3, mrz: 3, mar: 3,
  april: 4, apr: 4,
  mai: 5, may: 5,
  juni: 6, june: 6, jun: 6,
  juli: 7, july: 7, jul: 7,
  august: 8, aug: 8,
  september: 9, sept: 9, sep: 9,
  oktober: 10, october: 10, okt: 10, oct: 10,
  november: 11, nov: 11,
  dezember: 12, december: 12, dez: 12, dec: 12,
};

/** Alternation of month names for regexes, longest first so "Juni" wins over "Jun". */
export const MONTH_RE = Object.keys(MONTHS).sort((a, b) => b.length - a.length).join('|');

/** A date read from a piece of text, with the rule that read it and the characters used. */
export interface DateHit extends DateValue {
  rule: string;
  text: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** True when y-m-d is a real calendar day. */
export function isValidDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

function plausibleYear(y: number): boolean {
  return y >= 1900 && y <= 2100;
}

function value(y: number, m: number | null, d: number | null): { date: string; precision: DatePrecision } {
  if (m == null) return { date: String(y), precision: 'year' };
  if (d == null) return { date: `${y}-${pad(m)}`, precision: 'month' };
  return { date: `${y}-${pad(m)}-${pad(d)}`, precision: 'day' };
}

/** One date rule: a regex over the text and a function from its match to a DateHit. */
interface DateRule {
  id: string;
  re: RegExp;
  read(m: RegExpExecArray): DateValue | null;
}

/**
 * Ordered date rules for a short piece of text (a source-note part, a citation line).
 * Order matters: the dotted rules run before the month-name rules so "05.02.2006" is read
 * day-first (German), and the malformed-dotted rule before the year rule so "20.022020"
 * is flagged rather than read as a bare year.
 */
const RULES: DateRule[] = [
  {
    // 12.05.2021, 1.6.2019, 15.97.2020 (impossible -> invalid, year kept)
    id: 'dotted',
    re: /(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?![\d])/,
    read(m) {
      const d = Number(m[1]), mo = Number(m[2]), y = Number(m[3]);
      if (!plausibleYear(y)) return { date: null, precision: null, flag: 'invalid' };
      if (!isValidDay(y, mo, d)) return { ...value(y, null, null), flag: 'invalid' };
      return { ...value(y, mo, d), flag: null };
    },
  },
  {
    // 20.022020 (a dot missing): the year is certain, the day and month are not.
    id: 'dotted-malformed',
    re: /(?<![\d.])(\d{1,2})\.(\d{1,2})((?:19|20)\d{2})(?!\d)|(?<![\d.])(\d{1,2})(\d{2})\.((?:19|20)\d{2})(?!\d)/,
    read(m) {
      const y = Number(m[3] ?? m[6]);
      return { ...value(y, null, null), flag: 'invalid' };
    },
  },
  {
    // 12.05.21: a two-digit year, only when the date is the whole text (a source-note part),
    // read as 20yy (19yy from 70 on). Never inside a longer text ("Version 1.2.10").
    id: 'dotted-short-year',
    re: /^[\s\u00a0]*(\d{1,2})\.[\s\u00a0]?(\d{1,2})\.[\s\u00a0]?(\d{2})[\s\u00a0]*$/,
    read(m) {
      const d = Number(m[1]), mo = Number(m[2]), yy = Number(m[3]);
      const y = yy < 70 ? 2000 + yy : 1900 + yy;
      if (!isValidDay(y, mo, d)) return { ...value(y, null, null), flag: 'invalid' };
      return { ...value(y, mo, d), flag: null };
    },
  },
  {
    // 2021-05-12 (ISO)
    id: 'iso',
    re: /(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)/,
    read(m) {
      const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
      if (!isValidDay(y, mo, d)) return { ...value(y, null, null), flag: 'invalid' };
      return { ...value(y, mo, d), flag: null };
    },
  },
  {
    // 12. März 2021, 12 March 2021, 1st November 2020
    id: 'day-monthname-year',
    re: new RegExp(`(?<!\\d)(\\d{1,2})(?:\\.|st|nd|rd|th)?\\s+(${MONTH_RE})\\.?\\s+((?:19|20)\\d{2})(?!\\d)`, 'i'),
    read(m) {
      const d = Number(m[1]), mo = MONTHS[m[2]!.toLowerCase()]!, y = Number(m[3]);
      if (!isValidDay(y, mo, d)) return { ...value(y, mo, null), flag: 'invalid' };
      return { ...value(y, mo, d), flag: null };
    },
  },
  {
    // March 12, 2021
    id: 'monthname-day-year',
    re: new RegExp(`\\b(${MONTH_RE})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+((?:19|20)\\d{2})(?!\\d)`, 'i'),
    read(m) {
      const mo = MONTHS[m[1]!.toLowerCase()]!, d = Number(m[2]), y = Number(m[3]);
      if (!isValidDay(y, mo, d)) return { ...value(y, mo, null), flag: 'invalid' };
      return { ...value(y, mo, d), flag: null };
    },
  },
  {
    // 2020 Nov 9 (PubMed citation), 2022 Oct 20
    id: 'year-monthname-day',
    re: new RegExp(`(?<!\\d)((?:19|20)\\d{2})\\s+(${MONTH_RE})\\.?(?:\\s+(\\d{1,2}))?(?![\\d\\p{L}])`, 'iu'),
    read(m) {
      const y = Number(m[1]), mo = MONTHS[m[2]!.toLowerCase()]!;
      const d = m[3] ? Number(m[3]) : null;
      if (d != null && !isValidDay(y, mo, d)) return { ...value(y, mo, null), flag: 'invalid' };
      return { ...value(y, mo, d), flag: null };
    },
  },
  {
    // Ende 2020, Anfang März 2021, Mitte Mai 2019, late 2021, end of May 2022: the year, or the
    // month when one is named (the qualifier says which part of it; the date is no finer).
    // Before monthname-year, which would read only "Mai 2021" and leave the part a name.
    id: 'qualified-date',
    re: new RegExp(`(?<![\\p{L}])(?:Anfang|Mitte|Ende|Early|Mid|Late|End[\\s\\u00a0]+of|Beginning[\\s\\u00a0]+of)[\\s\\u00a0-]+(?:(${MONTH_RE})\\.?[\\s\\u00a0]+)?((?:19|20)\\d{2})(?!\\d)`, 'iu'),
    read(m) {
      return { ...value(Number(m[2]), m[1] ? MONTHS[m[1].toLowerCase()]! : null, null), flag: null };
    },
  },
  {
    // Juli/August 2021, July–August 2021 (a double issue): the first month. Before
    // monthname-year, which would read only "August 2021".
    id: 'month-range-year',
    re: new RegExp(`\\b(${MONTH_RE})\\.?[\\s\\u00a0]*[/\\u2013\\u2014-][\\s\\u00a0]*(?:${MONTH_RE})\\.?[\\s\\u00a0]+((?:19|20)\\d{2})(?!\\d)`, 'i'),
    read(m) {
      return { ...value(Number(m[2]), MONTHS[m[1]!.toLowerCase()]!, null), flag: null };
    },
  },
  {
    // Juni 2022, September 2022, Mai 2019
    id: 'monthname-year',
    re: new RegExp(`\\b(${MONTH_RE})\\.?\\s+((?:19|20)\\d{2})(?!\\d)`, 'i'),
    read(m) {
      return { ...value(Number(m[2]), MONTHS[m[1]!.toLowerCase()]!, null), flag: null };
    },
  },
  {
    // Sommer 2021, Frühjahr 2020, Winter 2019, Spring 2022: the year.
    id: 'season-year',
    re: /\b(?:Frühjahr|Frühling|Sommer|Herbst|Winter|Spring|Summer|Autumn|Fall)[\s\u00a0]+((?:19|20)\d{2})(?![\d])/i,
    read(m) {
      return { ...value(Number(m[1]), null, null), flag: null };
    },
  },
  {
    // 05/2021, 5/2021
    id: 'month-slash-year',
    re: /(?<![\d/.])(\d{1,2})\/((?:19|20)\d{2})(?![\d/])/,
    read(m) {
      const mo = Number(m[1]);
      if (mo < 1 || mo > 12) return { ...value(Number(m[2]), null, null), flag: 'invalid' };
      return { ...value(Number(m[2]), mo, null), flag: null };
    },
  },
  {
    // 2020 (alone, or "(2021)")
    id: 'year',
    re: /(?<![\d.:/-])((?:19|20)\d{2})(?![\d.:/-]\d)/,
    read(m) {
      return { ...value(Number(m[1]), null, null), flag: null };
    },
  },
];

/** An ASCII digit. */
const HAS_DIGIT = /\d/;

/** "aufgerufen 12.03.2023", "abgerufen am", "accessed", "Zugriff am", "retrieved". */
const ACCESSED_RE = /\b(?:aufgerufen|abgerufen|zugegriffen|zugriff|stand|accessed|retrieved|last accessed|viewed)\b(?:\s+(?:am|on))?:?\s*/i;

/**
 * Reads the first date in a short text (a source-note part or a citation line).
 * Returns null when the text holds no date. Impossible or malformed dates come back with
 * `flag: 'invalid'` and only the parts that are certain (usually the year), never a guess.
 * An access date ("aufgerufen 12.03.2023") comes back with `flag: 'accessed'`.
 * @param rules rule ids to try (default: all, in order)
 */
export function readDate(text: string, rules?: readonly string[]): DateHit | null {
  // Every rule and chrono (which needs four digits) read digits: a name ("Filter", "USA", most
  // source-note parts) is settled without running them.
  if (!HAS_DIGIT.test(text)) return null;
  const accessed = ACCESSED_RE.exec(text);
  const scope = accessed ? text.slice(accessed.index + accessed[0].length) : text;
  for (const rule of RULES) {
    if (rules && !rules.includes(rule.id)) continue;
    const m = rule.re.exec(scope);
    if (!m) continue;
    const v = rule.read(m);
    if (!v) continue;
    const flag = accessed && v.flag == null ? 'accessed' : v.flag;
    return { ...v, flag, rule: accessed ? `accessed+${rule.id}` : rule.id, text: accessed ? text.trim() : m[0] };
  }
  const viaChrono = chronoDate(scope);
  if (viaChrono) return { ...viaChrono, flag: accessed ? 'accessed' : null, text: viaChrono.text };
  return null;
}

/**
 * chrono-node as the fallback for forms the rules above do not know. Only results whose
 * year is stated in the text are accepted (chrono would otherwise fill in "this year").
 * Exported for the tests that check the rules give chrono's answers on the forms both read.
 */
export function chronoDate(text: string): (DateValue & { rule: string; text: string }) | null {
  if (!/\d{4}/.test(text)) return null;
  for (const [name, parser] of [['de', chrono.de], ['en', chrono.en]] as const) {
    const results = parser.parse(text, new Date(Date.UTC(2000, 0, 1)));
    for (const r of results) {
      const s = r.start;
      if (!s.isCertain('year')) continue;
      const y = s.get('year');
      if (y == null || !plausibleYear(y)) continue;
      const m = s.isCertain('month') ? s.get('month') : null;
      const d = m != null && s.isCertain('day') ? s.get('day') : null;
      return { ...value(y, m, d), flag: null, rule: `chrono-${name}`, text: r.text };
    }
  }
  return null;
}
