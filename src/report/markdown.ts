import { diagnosticCounts, bar, clean, cut, cutLeft, duration, fit, MAX_WIDTH, pct, points, runLabel, statusLabel, summaryLines, when, wrap } from './format.ts';
import { dateRows } from './text.ts';
import { COVERAGE_LABELS, type Breakdown, type Count, type Report } from './types.ts';

const DUPLICATE_ROWS = 10;

/**
 * A stored value as Markdown text: cleaned to one line, with the characters that make
 * Markdown or HTML (`< > & * _ [ ] | \` and backticks) backslash-escaped, so a title such as
 * `<img src=x onerror=alert(1)>` is shown, never rendered.
 */
export function md(s: string | null | undefined): string {
  return clean(s).replace(/[\\`*_[\]<>|&~]/g, (c) => `\\${c}`);
}

/** `s` cut so that its escaped form fits in `budget` characters. */
function mdFit(s: string | null | undefined, budget: number, fromLeft = false): string {
  const raw = clean(s);
  let n = raw.length;
  for (;;) {
    const part = fromLeft ? cutLeft(raw, n) : cut(raw, n);
    const escaped = md(part);
    if (escaped.length <= budget || n <= 1) return escaped.length <= budget ? escaped : '';
    n -= Math.max(1, escaped.length - budget);
  }
}

/** A stored code (diagnostic code) as a Markdown code span, safe inside a table. */
const codeSpan = (s: string) => `\`${clean(s).replace(/`/g, "'").replace(/\|/g, '\\|')}\``;

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
const rule = (n: number, rightFrom = 1) => `|${Array.from({ length: n }, (_, i) => (i >= rightFrom ? '---:' : '---')).join('|')}|`;

/** A table row whose cell `free` takes whatever width the other cells leave. */
function fitRow(cells: Array<string | number>, free: number, value: string | null, fromLeft = false, prefix = ''): string {
  const others = row(cells.map((c, i) => (i === free ? prefix : c))).length;
  const out = [...cells];
  out[free] = prefix + mdFit(value, Math.max(8, MAX_WIDTH - others), fromLeft);
  return row(out);
}

function countTable(head: string, rows: Count[], total: number): string[] {
  const max = Math.max(0, ...rows.map((r) => r.count));
  return [
    row([head, 'count', 'share', '']),
    '|---|---:|---:|---|',
    ...rows.map((r) => fitRow(['', r.count, pct(total ? r.count / total : null), bar(r.count, max, 30)], 0, r.key)),
  ];
}

function breakdownNote(b: Breakdown): string {
  return `Top ${b.top.length} of ${b.distinct}; ${b.other} entries in the others, ${b.none} without.`;
}

/**
 * The report as Markdown (for a pull request, a wiki or an e-mail): the summary first, then
 * one section per topic, tables throughout. No line is longer than 100 characters; every
 * stored value is escaped.
 */
export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines);
  add(`# digest report: ${runLabel(r)} (${statusLabel(r)})`, '');
  add(`${when(r.run.finishedAt)} · ${duration(r.run.durationMs)}${r.database ? ` · ${md(r.database)}` : ''}`, '');

  add('## Summary', '');
  for (const [label, text] of summaryLines(r)) add(...wrap(md(text), MAX_WIDTH, '  ', `- **${label}**: `));
  for (const c of r.checks.filter((x) => !x.ok)) add(...wrap(`${md(c.name)}: ${md(c.detail)}`, MAX_WIDTH, '    ', '  - '));

  const run = r.run;
  const e = run.entries;
  add('', '## Run', '');
  add(...wrap(`Runs ${run.runIds.join(', ')} (${md(run.pipeline)}), started ${when(run.startedAt)}, finished ${when(run.finishedAt)}, ${duration(run.durationMs)}.`, MAX_WIDTH, ''), '');
  add(row(['files', 'read', 'loaded', 'unchanged', 'rejected']), rule(5), row(['', run.files.read, run.files.loaded, run.files.unchanged, run.files.rejected]), '');
  add(row(['entries', 'read', 'new', 'updated', 'unchanged', 'duplicate', 'rejected']), rule(7), row(['', e.read, e.new, e.updated, e.unchanged, e.duplicate, e.rejected]), '');
  add(`Accounting: **${run.accounting.ok ? 'OK' : 'BROKEN'}**`, '');
  add(row(['check', 'expected', 'found', '']), `${rule(3)}---|`);
  for (const c of run.accounting.checks) add(row([md(c.name), c.expected, c.found, c.ok ? 'OK' : '**BROKEN**']));
  for (const err of run.errors) add('', ...wrap(`Error: ${md(err)}`, MAX_WIDTH, ''));
  if (run.rejectedFiles.length || run.rejectedEntries.length) {
    add('', row(['rejected', 'code', 'reason']), '|---|---|---|');
    for (const x of [...run.rejectedFiles, ...run.rejectedEntries]) {
      const where = `${mdFit(x.file, 36, true)}${x.n != null ? `#${x.n}` : ''}${x.line != null ? `:${x.line}` : ''}`;
      add(fitRow([where, codeSpan(x.code), ''], 2, x.message));
    }
  }

  const cov = r.coverage;
  add('', '## Coverage', '');
  add(
    ...wrap(
      `${cov.total} entries loaded, compared with ${cov.previousRunId != null ? `run ${cov.previousRunId} (${cov.previousTotal} entries)` : 'no earlier run'}; drift is a fall of more than ${(cov.driftMargin * 100).toFixed(1)} points.`,
      MAX_WIDTH,
      '',
    ),
    '',
  );
  add(row(['field', 'count', 'share', 'before', 'change', 'drift']), `${rule(5)}---|`);
  for (const c of cov.rows) {
    add(row([COVERAGE_LABELS[c.field].trim(), c.count, pct(c.share), c.previousShare == null ? '' : pct(c.previousShare), points(c.change), c.drift ? '**DRIFT**' : '']));
  }

  const d = r.diagnostics;
  add('', '## Diagnostics', '');
  add(`${diagnosticCounts(d)}.`, '');
  if (d.groups.length) {
    add(row(['count', 'code', 'severity']), '|---:|---|---|');
    for (const g of d.groups) add(row([g.count, codeSpan(g.code), md(g.severity)]));
  }
  for (const g of d.groups) {
    add('', `### ${codeSpan(g.code)} (${g.count})`, '');
    for (const x of g.examples) {
      const at = `${mdFit(x.file, 50, true)}${x.line != null ? `:${x.line}` : ''}`;
      add(`- ${at}${x.title ? ` “${mdFit(x.title, MAX_WIDTH - at.length - 6)}”` : ''}`);
      add(`  ${x.excerpt ? `“${mdFit(x.excerpt, MAX_WIDTH - 4)}”` : mdFit(x.message, MAX_WIDTH - 2)}`);
    }
  }

  const dup = r.duplicates;
  add('', '## Duplicates merged', '');
  add(`${dup.total} merged${dup.byRule.length ? `: ${dup.byRule.map((x) => `${x.count} ${md(x.key)}`).join(', ')}` : ''}.`);
  if (dup.rows.length) {
    add('', row(['similarity', 'rule', 'entry', 'item']), '|---:|---|---|---|');
    for (const x of dup.rows.slice(0, DUPLICATE_ROWS)) {
      const sim = x.similarity == null ? '' : x.similarity.toFixed(3);
      const entry = `${mdFit(x.file, 30, true)}#${x.n}`;
      add(fitRow([sim, md(x.rule), entry, ''], 3, x.itemTitle, false, `${x.itemId}: `));
    }
    if (dup.total > DUPLICATE_ROWS) add('', `${dup.total - DUPLICATE_ROWS} more: \`digest duplicates --run ID\` lists every merge.`);
  }

  add('', '## Languages', '', ...countTable('language', r.languages, cov.total));
  add('', '## Countries', '', breakdownNote(r.countries), '', ...countTable('country', r.countries.top, cov.total));
  add('', '## Sources', '', breakdownNote(r.sources), '', ...countTable('source', r.sources.top, cov.total));

  const dates = dateRows(r);
  const dated = cov.total - r.dates.undated;
  const flags = r.dates.flagged.map((x) => `${x.count} ${md(x.key)}`).join(', ');
  add('', '## Dates', '');
  add(...wrap(`${dated} dated (${r.dates.yearOnly} to the year only), ${r.dates.undated} undated${flags ? `; flagged: ${flags}` : ''}. Per ${dates.unit}:`, MAX_WIDTH, ''), '');
  add(...countTable(dates.unit, dates.rows, dated));

  const t = r.timing;
  add('', '## Timing', '');
  add(`${duration(r.run.durationMs)}: parse ${duration(t.parseMs)}, load ${duration(t.loadMs)}, other ${duration(t.otherMs)}.`, '');
  add(row(['total ms', 'parse ms', 'load ms', 'entries', 'file']), '|---:|---:|---:|---:|---|');
  for (const s of t.slowest) add(fitRow([s.totalMs, s.parseMs ?? '', s.loadMs ?? '', s.entries, ''], 4, s.file, true));
  return `${out.map((l) => fit(l)).join('\n')}\n`;
}
