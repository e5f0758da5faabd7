import { diagnosticCounts, bar, clean, cut, cutLeft, duration, fit, MAX_WIDTH, pct, points, runLabel, statusLabel, summaryLines, when, wrap } from './format.ts';
import { COVERAGE_LABELS, type Breakdown, type Count, type Report } from './types.ts';

/** Months listed one per line up to this many; beyond, the histogram is per year. */
const MAX_MONTH_ROWS = 24;

/** Duplicates listed in the text and Markdown reports (the JSON has up to 500). */
const DUPLICATE_ROWS = 10;

const right = (s: string | number, w: number) => String(s).padStart(w);
const left = (s: string | number, w: number) => String(s).padEnd(w);

/** Rows of a breakdown: key, count, share of `total`, bar. */
function countRows(rows: Count[], total: number, keyWidth: number): string[] {
  const max = Math.max(0, ...rows.map((r) => r.count));
  return rows.map((r) => `  ${left(cut(clean(r.key), keyWidth), keyWidth)} ${right(r.count, 6)} ${right(pct(total ? r.count / total : null), 6)}  ${bar(r.count, max, 30)}`);
}

function breakdownHead(name: string, b: Breakdown): string {
  return `${name}  top ${b.top.length} of ${b.distinct}; ${b.other} entries in the others, ${b.none} without`;
}

/** The dates histogram: per month when the dated months are few, else per year. */
export function dateRows(r: Report): { unit: 'month' | 'year'; rows: Count[] } {
  return r.dates.byMonth.length <= MAX_MONTH_ROWS ? { unit: 'month', rows: r.dates.byMonth } : { unit: 'year', rows: r.dates.byYear };
}

/**
 * The report for a terminal: a summary first, then the run, coverage, diagnostics with
 * examples, duplicates, languages, countries, sources, dates and timings. No line is longer
 * than 100 characters; stored values are cleaned of control characters.
 */
export function renderText(r: Report): string {
  const out: string[] = [];
  const add = (...lines: string[]) => out.push(...lines);
  const where = r.database ? ` · ${clean(r.database)}` : '';
  add(`digest report: ${runLabel(r)} (${statusLabel(r)}) · ${when(r.run.finishedAt)} · ${duration(r.run.durationMs)}${where}`, '');

  add('SUMMARY');
  const indent = ' '.repeat(13);
  for (const [label, text] of summaryLines(r)) add(...wrap(text, MAX_WIDTH, indent, `  ${left(label, 11)}`));
  for (const c of r.checks.filter((x) => !x.ok)) add(...wrap(`${c.name}: ${clean(c.detail)}`, MAX_WIDTH, `${indent}  `, indent));

  const run = r.run;
  add('', 'RUN');
  add(`  ${left('runs', 11)}${run.runIds.join(', ')} (${clean(run.pipeline)}), started ${when(run.startedAt)}, finished ${when(run.finishedAt)}`);
  add(`  ${left('files', 11)}${run.files.read} read = ${run.files.loaded} loaded + ${run.files.unchanged} unchanged + ${run.files.rejected} rejected`);
  const e = run.entries;
  add(`  ${left('entries', 11)}${e.read} read = ${e.new} new + ${e.updated} updated + ${e.unchanged} unchanged + ${e.duplicate} duplicate + ${e.rejected} rejected`);
  add(`  ${left('accounting', 11)}${run.accounting.ok ? 'OK' : 'BROKEN'}`);
  for (const c of run.accounting.checks) add(`    ${left(c.ok ? 'OK' : 'BROKEN', 7)}${right(c.expected, 6)} ${c.ok ? '=' : '≠'} ${left(c.found, 6)} ${c.name}`);
  for (const err of run.errors) add(`  ${left('error', 11)}${clean(err)}`);
  if (run.rejectedFiles.length) {
    add('  rejected files');
    for (const x of run.rejectedFiles) add(`    ${cutLeft(clean(x.file), 40)}: ${clean(x.message)} [${clean(x.code)}]`);
  }
  if (run.rejectedEntries.length) {
    add('  rejected entries');
    for (const x of run.rejectedEntries) {
      add(`    ${cutLeft(clean(x.file), 40)}#${x.n}${x.line != null ? `:${x.line}` : ''} "${cut(clean(x.title), 40)}"`);
      add(`      ${clean(x.message)} [${clean(x.code)}]`);
    }
  }

  const cov = r.coverage;
  add('', `COVERAGE  ${cov.total} entries loaded; before: ${cov.previousRunId != null ? `run ${cov.previousRunId} (${cov.previousTotal} entries)` : 'no earlier run'}; drift margin ${(cov.driftMargin * 100).toFixed(1)} points`);
  add(`  ${left('field', 20)} ${right('count', 6)} ${right('share', 7)} ${right('before', 7)} ${right('change', 7)}`);
  for (const row of cov.rows) {
    add(`  ${left(COVERAGE_LABELS[row.field], 20)} ${right(row.count, 6)} ${right(pct(row.share), 7)} ${right(row.previousShare == null ? '' : pct(row.previousShare), 7)} ${right(points(row.change), 7)}${row.drift ? '  DRIFT' : ''}`);
  }

  const d = r.diagnostics;
  add('', `DIAGNOSTICS  ${diagnosticCounts(d)}`);
  for (const g of d.groups) {
    add(`  ${right(g.count, 6)}  ${clean(g.code)} (${clean(g.severity)})`);
    for (const x of g.examples) {
      const at = `${cutLeft(clean(x.file), 44)}${x.line != null ? `:${x.line}` : ''}`;
      add(`          ${at}${x.title ? `  "${cut(clean(x.title), MAX_WIDTH - 14 - at.length)}"` : ''}`);
      add(`            ${cut(x.excerpt ? `"${clean(x.excerpt)}"` : clean(x.message), MAX_WIDTH - 12)}`);
    }
  }

  const dup = r.duplicates;
  add('', `DUPLICATES MERGED  ${dup.total}${dup.byRule.length ? `: ${dup.byRule.map((x) => `${x.count} ${clean(x.key)}`).join(', ')}` : ''}`);
  if (dup.rows.length) add('  lowest similarity first');
  for (const x of dup.rows.slice(0, DUPLICATE_ROWS)) {
    const sim = x.similarity == null ? '  -  ' : x.similarity.toFixed(3);
    add(`  ${sim}  ${left(clean(x.rule), 15)} ${cutLeft(clean(x.file), 36)}#${x.n} -> item ${x.itemId}`);
    add(`         "${cut(clean(x.title), 40)}" ~ "${cut(clean(x.itemTitle), 40)}"`);
  }
  if (dup.total > DUPLICATE_ROWS) add(`  … ${dup.total - DUPLICATE_ROWS} more ("digest duplicates --run ID" lists every merge)`);

  add('', `LANGUAGES  ${r.languages.length} among ${cov.total} entries`);
  add(...countRows(r.languages, cov.total, 8));
  add('', breakdownHead('COUNTRIES', r.countries));
  add(...countRows(r.countries.top, cov.total, 8));
  add('', breakdownHead('SOURCES', r.sources));
  add(...countRows(r.sources.top, cov.total, 44));

  const dates = dateRows(r);
  const dated = cov.total - r.dates.undated;
  const flags = r.dates.flagged.map((x) => `${x.count} ${clean(x.key)}`).join(', ');
  add('', `DATES  ${dated} dated (${r.dates.yearOnly} to the year only), ${r.dates.undated} undated${flags ? `; flagged: ${flags}` : ''}`);
  add(`  per ${dates.unit}${dates.unit === 'month' ? ' (day and month dates)' : ' (all dates)'}`);
  add(...countRows(dates.rows, dated, 8));

  const t = r.timing;
  add('', `TIMING  ${duration(r.run.durationMs)}: parse ${duration(t.parseMs)}, load ${duration(t.loadMs)}, other ${duration(t.otherMs)}`);
  add('  slowest files (parse + load)');
  add(`  ${right('total', 8)} ${right('parse', 8)} ${right('load', 8)} ${right('entries', 7)}  file`);
  for (const s of t.slowest) {
    add(`  ${right(`${s.totalMs} ms`, 8)} ${right(s.parseMs ?? '-', 8)} ${right(s.loadMs ?? '-', 8)} ${right(s.entries, 7)}  ${cutLeft(clean(s.file), 60)}${s.status === 'loaded' ? '' : ` (${s.status})`}`);
  }
  return `${out.map((l) => fit(l)).join('\n')}\n`;
}
