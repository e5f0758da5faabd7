import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildReport, ReportError } from '../report/build.ts';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../report/render.ts';
import { DEFAULT_THRESHOLDS, parseMinCoverage, type ReportThresholds, ThresholdError } from '../report/thresholds.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError } from './common.ts';

function wholeNumber(value: string | undefined, name: string, min = 0): number | undefined {
  if (value == null) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${name} must be a whole number of at least ${min}, not "${value}".`);
  return Number(value);
}

/** Thresholds from the defaults and the flags (flags win). */
export function thresholdsFromFlags(values: { 'min-coverage'?: string; 'max-errors'?: string; 'drift-margin'?: string; 'fail-on-drift'?: boolean }): ReportThresholds {
  const t: ReportThresholds = { ...DEFAULT_THRESHOLDS, minCoverage: { ...DEFAULT_THRESHOLDS.minCoverage } };
  try {
    if (values['min-coverage'] != null) t.minCoverage = { ...t.minCoverage, ...parseMinCoverage(values['min-coverage']) };
  } catch (err) {
    if (err instanceof ThresholdError) throw new UsageError(err.message);
    throw err;
  }
  t.maxErrors = wholeNumber(values['max-errors'], '--max-errors') ?? t.maxErrors;
  const margin = values['drift-margin'];
  if (margin != null) {
    if (!/^\d+(\.\d+)?$/.test(margin) || Number(margin) > 100) throw new UsageError(`--drift-margin takes points between 0 and 100 (5 = five points), not "${margin}".`);
    t.driftMargin = Number(margin) / 100;
  }
  if (values['fail-on-drift']) t.failOnDrift = true;
  return t;
}

/**
 * `digest report [--run ID | --since DATE] [--format text|md|json|html] [--out FILE] [--strict]`:
 * the quality report of a run (default: the latest finished one), read from the database
 * only. With --strict, exits 1 when a check fails (accounting, rejected or error counts over
 * --max-errors, coverage under --min-coverage, drift with --fail-on-drift) and says why.
 */
export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    ...DB_FLAGS,
    run: { type: 'string' },
    since: { type: 'string' },
    format: { type: 'string', default: 'text' },
    out: { type: 'string' },
    strict: { type: 'boolean' },
    'min-coverage': { type: 'string' },
    'max-errors': { type: 'string' },
    'drift-margin': { type: 'string' },
    'fail-on-drift': { type: 'boolean' },
    examples: { type: 'string' },
    top: { type: 'string' },
    'max-entries': { type: 'string' },
  });
  if (positionals.length) throw new UsageError(`digest report takes no arguments (got ${positionals.join(' ')}).`);
  const format = values.format as ReportFormat;
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, not "${values.format}".`);
  if (values.run != null && values.since != null) throw new UsageError('--run and --since both choose runs; give one.');
  const runId = wholeNumber(values.run, '--run', 1);
  let since: string | undefined;
  if (values.since != null) {
    const t = Date.parse(values.since);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.since) || Number.isNaN(t)) throw new UsageError(`--since takes a date such as 2024-05-01 (UTC) or an ISO date-time, not "${values.since}".`);
    since = new Date(t).toISOString();
  }
  const thresholds = thresholdsFromFlags(values);
  const opts = {
    thresholds,
    examples: wholeNumber(values.examples, '--examples'),
    top: wholeNumber(values.top, '--top', 1),
    maxEntries: wholeNumber(values['max-entries'], '--max-entries'),
  };
  const handle = await openDb(values, io);
  try {
    let report;
    try {
      report = await buildReport(handle.db, { ...opts, runId, since, now: new Date(), database: handle.describe });
    } catch (err) {
      if (err instanceof ReportError) {
        io.err(`digest report: ${err.message}\n`);
        return EXIT.failed;
      }
      throw err;
    }
    const text = renderReport(report, format);
    if (values.out) {
      const path = resolve(io.cwd, values.out);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      io.err(`digest report: wrote the ${format} report of run ${report.run.runIds.join(', ')} to ${values.out}\n`);
    } else {
      io.out(text);
    }
    const failed = report.checks.filter((c) => !c.ok);
    if (values.strict && failed.length) {
      io.err(`digest report --strict: ${failed.length} of ${report.checks.length} checks failed:\n${failed.map((c) => `  ${c.name}: ${c.detail}\n`).join('')}`);
      return EXIT.failed;
    }
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
