import { plural } from './format.ts';
import { COVERAGE_FIELDS, type Check, type CoverageField, type Report } from './types.ts';

/**
 * What `digest report --strict` holds a run to. Kept here rather than in the pipeline
 * file: the defaults below, changed by flags (`--min-coverage`, `--max-errors`,
 * `--drift-margin`, `--fail-on-drift`).
 */
export interface ReportThresholds {
  /** Lowest acceptable share (0..1) per field among the run's loaded entries. */
  minCoverage: Partial<Record<CoverageField, number>>;
  /** Most rejected files + entries, and most error diagnostics, a run may have. */
  maxErrors: number;
  /** A share that falls by more than this (a fraction: 0.05 = 5 points) is flagged as drift. */
  driftMargin: number;
  /** Whether flagged drift fails `--strict` (default: it is shown, not failed). */
  failOnDrift: boolean;
}

/**
 * The defaults: nothing rejected, and at least half of the entries with a source, a date and
 * a language (a floor that only a broken extractor or a page of a new kind falls below);
 * drift flagged at 5 points and shown, not failed.
 */
export const DEFAULT_THRESHOLDS: ReportThresholds = {
  minCoverage: { source: 0.5, date: 0.5, language: 0.5 },
  maxErrors: 0,
  driftMargin: 0.05,
  failOnDrift: false,
};

/** A threshold flag that cannot be read; the CLI turns it into a usage error. */
export class ThresholdError extends Error {
  override name = 'ThresholdError';
}

/**
 * Reads `FIELD=SHARE,…` (`source=0.8,date=70%`): shares as fractions 0..1 or percentages.
 * Fields are those of COVERAGE_FIELDS.
 */
export function parseMinCoverage(spec: string): Partial<Record<CoverageField, number>> {
  const out: Partial<Record<CoverageField, number>> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+)\s*=\s*(\d+(?:\.\d+)?)(%?)$/.exec(part);
    if (!m) throw new ThresholdError(`--min-coverage takes FIELD=SHARE pairs such as source=0.8 or date=70%, not "${part}".`);
    const field = m[1] as CoverageField;
    if (!COVERAGE_FIELDS.includes(field)) throw new ThresholdError(`--min-coverage: unknown field "${m[1]}" (fields: ${COVERAGE_FIELDS.join(', ')}).`);
    const value = m[3] ? Number(m[2]) / 100 : Number(m[2]);
    if (value > 1) throw new ThresholdError(`--min-coverage: ${field}=${m[2]}${m[3]} is more than 100%.`);
    out[field] = value;
  }
  return out;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/**
 * The strict checks of a report against thresholds: the accounting identity, rejected and
 * error counts, minimum coverage per field, and (when `failOnDrift`) drift. Drift is always
 * listed; it is a failing check only with `failOnDrift`.
 */
export function evaluate(report: Omit<Report, 'checks'>, t: ReportThresholds): Check[] {
  const checks: Check[] = [];
  const acc = report.run.accounting;
  const broken = acc.checks.filter((c) => !c.ok);
  checks.push({
    name: 'accounting',
    ok: acc.ok,
    detail: acc.ok ? 'the accounting identity and its row checks hold' : `broken: ${broken.map((c) => `${c.name} expected ${c.expected}, found ${c.found}`).join('; ')}`,
  });
  const rejected = report.run.files.rejected + report.run.entries.rejected;
  checks.push({
    name: 'rejected',
    ok: rejected <= t.maxErrors,
    detail: `${plural(report.run.files.rejected, 'file')} + ${plural(report.run.entries.rejected, 'entry', 'entries')} rejected (limit ${t.maxErrors})`,
  });
  const errors = report.diagnostics.bySeverity.error;
  checks.push({ name: 'errors', ok: errors <= t.maxErrors, detail: `${plural(errors, 'error diagnostic')} (limit ${t.maxErrors})` });
  for (const field of COVERAGE_FIELDS) {
    const min = t.minCoverage[field];
    if (min == null) continue;
    const row = report.coverage.rows.find((r) => r.field === field);
    const share = row?.share ?? null;
    checks.push({
      name: `coverage:${field}`,
      // A run that parsed nothing (every file unchanged) has no coverage to hold to a floor.
      ok: share == null || share >= min,
      detail: share == null ? `${field}: no entries were parsed in this run` : `${field} ${pct(share)} (minimum ${pct(min)})`,
    });
  }
  const drifted = report.coverage.rows.filter((r) => r.drift);
  if (t.failOnDrift || drifted.length) {
    checks.push({
      name: 'drift',
      ok: !t.failOnDrift || drifted.length === 0,
      detail: drifted.length
        ? `${drifted.map((r) => `${r.field} ${pct(r.previousShare ?? 0)} -> ${pct(r.share ?? 0)}`).join(', ')} against run ${report.coverage.previousRunId}${t.failOnDrift ? '' : ' (shown, not failed)'}`
        : `no share fell by more than ${(t.driftMargin * 100).toFixed(1)} points`,
    });
  }
  return checks;
}
