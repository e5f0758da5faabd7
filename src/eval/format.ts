import { EVAL_FIELDS } from './types.ts';
import type { EvalField, EvalReport, MinSpec, Miss } from './types.ts';

/** Maximum line width of the text report. */
const WIDTH = 100;

/** Longest file name shown before it is shortened. */
const MAX_FILE = 40;

/** Slack for floating-point ratios compared with a threshold. */
const EPSILON = 1e-9;

/** Width of a string in code points. */
function width(text: string): number {
  return Array.from(text).length;
}

/** Cuts a string to `max` code points, marking the cut with an ellipsis. */
function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(max - 1, 0)).join('')}…`;
}

/** Pads text to a width (code points): names on the right, numbers and percentages on the left. */
function pad(text: string | number, size: number): string {
  const s = String(text);
  const fill = ' '.repeat(Math.max(size - width(s), 0));
  return typeof text === 'number' || s.endsWith('%') ? fill + s : s + fill;
}

/**
 * A ratio as a percentage with `decimals` decimals. Never rounds a ratio below 1 up to 100%
 * or one above 0 down to 0%.
 */
function pct(ratio: number, decimals = 1): string {
  const step = 10 ** -decimals;
  let value = ratio * 100;
  if (ratio < 1 && Number(value.toFixed(decimals)) >= 100) value = 100 - step;
  if (ratio > 0 && Number(value.toFixed(decimals)) <= 0) value = step;
  return `${value.toFixed(decimals)}%`;
}

/** `value` and `min` as percentages, with as many decimals (1 to 6) as it takes to tell them apart. */
function pctPair(value: number, min: number): [string, string] {
  let decimals = 1;
  while (decimals < 6 && pct(value, decimals) === pct(min, decimals)) decimals++;
  return [pct(value, decimals), pct(min, decimals)];
}

/** JSON for display, with invisible and non-breaking spaces escaped so they can be seen. */
function show(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u00a0\u2000-\u200f\u2028\u2029\u202f\u205f\u3000\ufeff]/gu,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `file#n`, with the gold position when it differs (`file#? (gold #4)` for a missed entry). */
function missLabel(miss: Miss): string {
  const at = `${cut(miss.file, MAX_FILE)}#${miss.n ?? '?'}`;
  return miss.goldN !== null && miss.goldN !== miss.n ? `${at} (gold #${miss.goldN})` : at;
}

/** One miss line, with the two values shortened as needed to fit the width. */
function missLine(miss: Miss): string {
  const head = `  ${missLabel(miss)}  ${miss.field}`;
  let expected = show(miss.expected);
  let got = show(miss.got);
  const room = Math.max(WIDTH - width(head) - width('  expected=') - width('  got='), 16);
  if (width(expected) + width(got) > room) {
    const half = Math.floor(room / 2);
    let e = width(expected);
    let g = width(got);
    if (e <= half) g = room - e;
    else if (g <= half) e = room - g;
    else [e, g] = [half, room - half];
    expected = cut(expected, e);
    got = cut(got, g);
  }
  return `${head}  expected=${expected}  got=${got}`;
}

/**
 * Renders an evaluation report as plain text no wider than 100 columns: entry counts and
 * precision/recall/F1, one line per field (correct/total and %), duplicate-pair
 * precision/recall with their counts, a line per file when there are several and, with
 * `misses`, every miss as `file#n  field  expected=...  got=...` (values JSON-encoded and
 * shortened with "…" when a line would be too wide) followed by the missed and spurious
 * duplicate pairs.
 */
export function formatReport(report: EvalReport, options: { misses: boolean }): string {
  const { entries, duplicates } = report;
  const out: string[] = [];
  out.push(
    `entries          tp ${entries.tp}  fp ${entries.fp}  fn ${entries.fn}    ` +
      `P ${pct(entries.precision)}  R ${pct(entries.recall)}  F1 ${pct(entries.f1)}`,
  );
  out.push(`fields           over ${entries.tp} aligned entr${entries.tp === 1 ? 'y' : 'ies'}`);
  const countWidth = String(entries.tp).length;
  for (const f of report.fields) {
    out.push(`  ${pad(f.field, 10)} ${pad(f.correct, countWidth)}/${pad(f.total, countWidth)}  ${pad(pct(f.accuracy), 6)}`);
  }
  out.push(
    `duplicate pairs  gold ${duplicates.gold}  predicted ${duplicates.predicted}  correct ${duplicates.correct}    ` +
      `P ${pct(duplicates.precision)}  R ${pct(duplicates.recall)}`,
  );
  if (report.files.length > 1) {
    out.push(`files            ${report.files.length}`);
    const nameWidth = Math.min(Math.max(...report.files.map((f) => width(f.file))), MAX_FILE);
    for (const f of report.files) {
      out.push(
        `  ${pad(cut(f.file, MAX_FILE), nameWidth)}  gold ${pad(f.gold, 4)}  predicted ${pad(f.predicted, 4)}  ` +
          `fp ${pad(f.fp, 3)}  fn ${pad(f.fn, 3)}  F1 ${pad(pct(f.f1), 6)}`,
      );
    }
  }
  if (options.misses) {
    out.push(`misses           ${report.misses.length}`);
    for (const miss of report.misses) out.push(missLine(miss));
    out.push(`duplicate pairs missed    ${duplicates.missed.length}`);
    for (const [a, b] of duplicates.missed) out.push(`  ${a}  +  ${b}`);
    out.push(`duplicate pairs spurious  ${duplicates.spurious.length}`);
    for (const [a, b] of duplicates.spurious) out.push(`  ${a}  +  ${b}`);
  }
  return `${out.map((line) => cut(line, WIDTH)).join('\n')}\n`;
}

/**
 * Compares a report with minimum values and describes every shortfall in a sentence, such as
 * `field country 95.0% (19/20 correct) is below the minimum 97.0%`. An empty list means the
 * report passes; `digest eval --min` exits 1 otherwise.
 */
export function checkThresholds(report: EvalReport, min: MinSpec): string[] {
  const failures: string[] = [];
  const check = (what: string, value: number, minimum: number | undefined, detail: string): void => {
    if (minimum === undefined || value >= minimum - EPSILON) return;
    const [shown, shownMin] = pctPair(value, minimum);
    failures.push(`${what} ${shown} (${detail}) is below the minimum ${shownMin}`);
  };
  const { tp, fp, fn } = report.entries;
  const counts = `tp ${tp}, fp ${fp}, fn ${fn}`;
  check('entry F1', report.entries.f1, min.entryF1, counts);
  check('entry precision', report.entries.precision, min.entryPrecision, counts);
  check('entry recall', report.entries.recall, min.entryRecall, counts);
  for (const f of report.fields) {
    check(`field ${f.field}`, f.accuracy, min.perField?.[f.field] ?? min.field, `${f.correct}/${f.total} correct`);
  }
  const d = report.duplicates;
  check('duplicate-pair precision', d.precision, min.dupPrecision, `${d.correct} of ${d.predicted} predicted pairs correct`);
  check('duplicate-pair recall', d.recall, min.dupRecall, `${d.correct} of ${d.gold} gold pairs found`);
  return failures;
}

/** Spec keys (lower case, without `-` and `_`) and what they set. */
const MIN_KEYS: ReadonlyMap<string, (spec: MinSpec, value: number) => void> = new Map<
  string,
  (spec: MinSpec, value: number) => void
>([
  ['f1', (s, v) => void (s.entryF1 = v)],
  ['precision', (s, v) => void (s.entryPrecision = v)],
  ['recall', (s, v) => void (s.entryRecall = v)],
  ['fields', (s, v) => void (s.field = v)],
  ['field', (s, v) => void (s.field = v)],
  ['dupprecision', (s, v) => void (s.dupPrecision = v)],
  ['duprecall', (s, v) => void (s.dupRecall = v)],
  ...EVAL_FIELDS.map(
    (field: EvalField) =>
      [field.toLowerCase(), (s: MinSpec, v: number) => void (s.perField = { ...s.perField, [field]: v })] as const,
  ),
]);

/** The keys a min spec accepts, for error messages. */
const KEY_NAMES = ['f1', 'precision', 'recall', 'fields', ...EVAL_FIELDS, 'dup-precision', 'dup-recall'].join(', ');

/**
 * Parses a `--min` spec such as `f1=0.99,fields=0.97,dup-precision=1`. Keys: `f1`,
 * `precision`, `recall` (entries), `fields` (every field), a field name (`country`, ...,
 * `dateFlag`; overrides `fields` for that field), `dup-precision`, `dup-recall` (case, `-` and
 * `_` ignored). Values are ratios from 0 to 1 or percentages such as `97%`.
 *
 * @throws Error naming the bad part for an empty spec, a part without `=`, an unknown or
 *   repeated key, or a value that is not a number in range.
 */
export function parseMinSpec(text: string): MinSpec {
  if (text.trim() === '') throw new Error('--min: empty threshold spec; expected e.g. "f1=0.99,fields=0.97"');
  const spec: MinSpec = {};
  const parts = text.split(',').map((part) => part.trim());
  const seen = new Set<string>();
  for (const part of parts) {
    if (part === '') throw new Error(`--min: empty item in "${text}"; expected key=value items separated by commas`);
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`--min: "${part}" is not key=value (e.g. "f1=0.99")`);
    const rawKey = part.slice(0, eq).trim();
    const rawValue = part.slice(eq + 1).trim();
    const key = rawKey.toLowerCase().replace(/[-_]/g, '');
    const set = MIN_KEYS.get(key);
    if (!set) throw new Error(`--min: unknown key "${rawKey}"; known keys: ${KEY_NAMES}`);
    if (seen.has(key)) throw new Error(`--min: key "${rawKey}" is given more than once`);
    seen.add(key);
    const percent = rawValue.endsWith('%');
    const number = percent ? rawValue.slice(0, -1).trim() : rawValue;
    if (!/^(\d+(\.\d*)?|\.\d+)$/.test(number)) {
      throw new Error(`--min: value of "${rawKey}" must be a number from 0 to 1 or a percentage, not "${rawValue}"`);
    }
    const value = percent ? Number(number) / 100 : Number(number);
    if (value > 1) {
      throw new Error(
        `--min: value of "${rawKey}" must be at most 1 (or 100%), not "${rawValue}"` +
          (percent ? '' : `; for a percentage write "${rawValue}%"`),
      );
    }
    set(spec, value);
  }
  return spec;
}
