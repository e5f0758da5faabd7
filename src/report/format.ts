import type { Report } from './types.ts';

/** Widest line of the text and Markdown reports (a terminal's width with room to spare). */
export const MAX_WIDTH = 100;

/**
 * One line of text from a stored value: control characters (C0, C1, DEL), bidirectional
 * overrides and line breaks become spaces, so a title cannot move the cursor, recolour the
 * terminal or break a table.
 */
export function clean(s: string | null | undefined): string {
  if (s == null) return '';
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
}

/** `s` cut to `max` characters with an ellipsis. */
export function cut(s: string, max: number): string {
  if (max <= 0) return '';
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

/** A path cut from the left (the file name matters most): `…/corpus/covid-2020.txt`. */
export function cutLeft(s: string, max: number): string {
  if (max <= 0) return '';
  return s.length > max ? `…${s.slice(s.length - max + 1)}` : s;
}

/** A line cut to MAX_WIDTH: the last guard that keeps every line within a terminal. */
export function fit(line: string, width = MAX_WIDTH): string {
  return cut(line.replace(/\s+$/, ''), width);
}

/** `1 file`, `2 files`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** `116 in 10 codes: 0 errors, 15 warnings, 101 info` for a diagnostics section. */
export function diagnosticCounts(d: Report['diagnostics']): string {
  return `${d.total} in ${plural(d.groups.length, 'code')}: ${plural(d.bySeverity.error, 'error')}, ${plural(d.bySeverity.warning, 'warning')}, ${d.bySeverity.info} info`;
}

/** `0.876` -> `87.6%`; null -> `n/a`. */
export function pct(x: number | null | undefined): string {
  return x == null ? 'n/a' : `${(x * 100).toFixed(1)}%`;
}

/** A change of share in points: `+1.2`, `-35.0`; null -> empty. */
export function points(x: number | null | undefined): string {
  if (x == null) return '';
  const v = x * 100;
  return `${v >= 0 ? '+' : '-'}${Math.abs(v).toFixed(1)}`;
}

/** Milliseconds for a person: `850 ms`, `6.0 s`, `3 min 12 s`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** `2026-11-24T22:39:49.818Z` -> `2026-11-24 22:39 UTC`. */
export function when(iso: string | null): string {
  if (!iso) return 'not finished';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A bar of `#` proportional to `n / max`, at most `width` long (at least one for n > 0). */
export function bar(n: number, max: number, width: number): string {
  if (n <= 0 || max <= 0) return '';
  return '#'.repeat(Math.max(1, Math.round((n / max) * width)));
}

/** `run 3` or `runs 3-7 (4)` for the header. */
export function runLabel(r: Report): string {
  const ids = r.run.runIds;
  if (ids.length === 1) return `run ${ids[0]}`;
  return `runs ${ids[0]}-${ids[ids.length - 1]} (${ids.length} runs)`;
}

/** `finished`, or `3 finished, 1 failed`. */
export function statusLabel(r: Report): string {
  const by = new Map<string, number>();
  for (const s of r.run.statuses) by.set(s, (by.get(s) ?? 0) + 1);
  if (by.size === 1 && r.run.statuses.length === 1) return r.run.statuses[0]!;
  return [...by].map(([s, n]) => `${n} ${s}`).join(', ');
}

/** The summary lines both the text and the Markdown report open with: [label, text]. */
export function summaryLines(r: Report): Array<[string, string]> {
  const e = r.run.entries;
  const f = r.run.files;
  const cov = r.coverage;
  const share = (field: string) => pct(cov.rows.find((x) => x.field === field)?.share);
  const drifted = cov.rows.filter((x) => x.drift);
  const failed = r.checks.filter((c) => !c.ok);
  const d = r.diagnostics;
  const lines: Array<[string, string]> = [
    ['entries', `${e.read} read: ${e.new} new, ${e.updated} updated, ${e.unchanged} unchanged, ${e.duplicate} duplicate, ${e.rejected} rejected`],
    ['files', `${f.read} read: ${f.loaded} loaded, ${f.unchanged} unchanged, ${f.rejected} rejected`],
    ['accounting', r.run.accounting.ok ? 'OK' : `BROKEN (${r.run.accounting.checks.filter((c) => !c.ok).length} checks fail)`],
    [
      'coverage',
      cov.total
        ? `of ${cov.total} loaded: source ${share('source')}, country ${share('country')}, date ${share('date')}, DOI ${share('doi')}, language ${share('language')}`
        : 'no entries were parsed (every file unchanged)',
    ],
    [
      'drift',
      cov.previousRunId == null
        ? 'no earlier run to compare with'
        : drifted.length
          ? `${drifted.map((x) => `${x.field} ${points(x.change)}`).join(', ')} points against run ${cov.previousRunId}`
          : `none against run ${cov.previousRunId} (margin ${(cov.driftMargin * 100).toFixed(1)} points)`,
    ],
    ['issues', `${plural(d.total, 'diagnostic')} ${diagnosticCounts(d).replace(/^\d+ /, '')}`],
    ['checks', failed.length ? `FAILED ${failed.length} of ${r.checks.length}: ${failed.map((c) => c.name).join(', ')}` : `all ${r.checks.length} passed`],
  ];
  return lines;
}

/**
 * Words of `text` wrapped at `width`; lines after the first start with `indent`. A single word
 * longer than a line is cut.
 */
export function wrap(text: string, width: number, indent: string, firstPrefix = ''): string[] {
  const lines: string[] = [];
  let cur = firstPrefix;
  let fresh = true;
  for (const word of text.split(' ').filter(Boolean)) {
    const sep = fresh ? '' : ' ';
    if (cur.length + sep.length + word.length > width && !fresh) {
      lines.push(cur);
      cur = indent + cut(word, width - indent.length);
    } else {
      cur += sep + cut(word, width - cur.length - sep.length);
    }
    fresh = false;
  }
  lines.push(cur);
  return lines;
}
