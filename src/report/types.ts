/**
 * The quality report: one typed object that `buildReport` fills from the database (every
 * count comes from SQL) and that the text, Markdown, JSON and HTML renderers present.
 * The JSON format is this object as it is.
 */

/** Fields whose coverage the report measures. `dateDay` etc. split `date` by precision. */
export const COVERAGE_FIELDS = ['source', 'country', 'date', 'dateDay', 'dateMonth', 'dateYear', 'doi', 'pmid', 'pmcid', 'language'] as const;

/** A field whose coverage the report measures. */
export type CoverageField = (typeof COVERAGE_FIELDS)[number];

/** How each coverage field reads in a report. */
export const COVERAGE_LABELS: Record<CoverageField, string> = {
  source: 'source',
  country: 'country',
  date: 'date (any)',
  dateDay: '  date: day',
  dateMonth: '  date: month',
  dateYear: '  date: year only',
  doi: 'DOI',
  pmid: 'PMID',
  pmcid: 'PMCID',
  language: 'language (not und)',
};

/** A label and how many rows carry it. */
export interface Count {
  key: string;
  count: number;
}

/** A rejected file or entry and why. */
export interface Rejection {
  file: string;
  /** Entry position, null for a whole file. */
  n: number | null;
  line: number | null;
  code: string;
  message: string;
  /** First line of a rejected entry's raw text; null for a file. */
  title: string | null;
}

/** One check of the run's accounting. */
export interface AccountingCheck {
  name: string;
  /** What the run row says. */
  expected: number;
  /** What the check found (the sum, or the rows counted). */
  found: number;
  ok: boolean;
}

/** The run (or runs, with `--since`) the report covers. */
export interface RunSection {
  /** Runs covered, oldest first. */
  runIds: number[];
  /** Status of each covered run (`finished`, `failed`, `running`, `abandoned`). */
  statuses: string[];
  pipeline: string;
  startedAt: string;
  finishedAt: string | null;
  /** Sum of the runs' durations (finished_at - started_at), ms. */
  durationMs: number;
  files: { read: number; loaded: number; unchanged: number; rejected: number };
  entries: { read: number; new: number; updated: number; unchanged: number; duplicate: number; rejected: number };
  /** entries read = new + updated + unchanged + duplicate + rejected, and the row cross-checks. */
  accounting: { ok: boolean; checks: AccountingCheck[] };
  rejectedFiles: Rejection[];
  rejectedEntries: Rejection[];
  /** Error text of a failed run. */
  errors: string[];
}

/** Coverage of one field among the run's loaded entries, with the previous run's. */
export interface CoverageRow {
  field: CoverageField;
  count: number;
  /** count / total, or null when the run loaded no entries. */
  share: number | null;
  previousCount: number | null;
  previousShare: number | null;
  /** share - previousShare (a fraction, -0.05 = 5 points lower), or null. */
  change: number | null;
  /** True when the share fell by more than the drift margin. */
  drift: boolean;
}

/** Field coverage section. */
export interface CoverageSection {
  /** Entries parsed and loaded in the covered runs (occurrences; unchanged files are not re-parsed). */
  total: number;
  /** The latest finished run before the covered ones that loaded entries, or null. */
  previousRunId: number | null;
  previousTotal: number | null;
  /** Drift margin as a fraction (0.05 = 5 points). */
  driftMargin: number;
  rows: CoverageRow[];
}

/** One example of a diagnostic. */
export interface DiagnosticExample {
  file: string;
  line: number | null;
  n: number | null;
  /** Title of the entry it is about (null for a whole-file diagnostic). */
  title: string | null;
  message: string;
  /** The text that triggered it, when recorded. */
  excerpt: string | null;
}

/** All diagnostics of one code. */
export interface DiagnosticGroup {
  code: string;
  severity: string;
  count: number;
  examples: DiagnosticExample[];
}

/** Diagnostics section. */
export interface DiagnosticsSection {
  total: number;
  bySeverity: { error: number; warning: number; info: number };
  groups: DiagnosticGroup[];
}

/** An entry merged into an item it did not create. */
export interface DuplicateRow {
  file: string;
  n: number;
  title: string;
  rule: string;
  similarity: number | null;
  /** `FILE#n` of the first occurrence in the run, when the merge was within the run. */
  duplicateOf: string | null;
  itemId: number;
  itemTitle: string;
}

/** Duplicates section. */
export interface DuplicatesSection {
  total: number;
  byRule: Count[];
  /** Lowest similarity first (the merges most worth a look), at most `limit` rows. */
  rows: DuplicateRow[];
}

/** A breakdown with its top values. */
export interface Breakdown {
  /** Entries with no value. */
  none: number;
  /** Distinct values. */
  distinct: number;
  top: Count[];
  /** Entries with a value outside the top. */
  other: number;
}

/** Dates section. */
export interface DatesSection {
  /** `YYYY-MM` of entries dated to a day or month, oldest first; months without entries left out. */
  byMonth: Count[];
  /** `YYYY` of every dated entry (year-only dates included), oldest first. */
  byYear: Count[];
  yearOnly: number;
  undated: number;
  /** Dates flagged `invalid` or `accessed`. */
  flagged: Count[];
}

/** A document version and the time it took. */
export interface SlowFile {
  file: string;
  status: string;
  entries: number;
  bytes: number | null;
  parseMs: number | null;
  loadMs: number | null;
  totalMs: number;
}

/** Timings: per file, and the whole run split into parse, load and the rest. */
export interface TimingSection {
  /** Sum of documents' parse_ms (read, blocks, segment, extract, language, quality, dedupe). */
  parseMs: number;
  loadMs: number;
  /** Run duration not spent in parse or load (listing, unchanged checks, the final step). */
  otherMs: number;
  slowest: SlowFile[];
}

/** A diagnostic on an entry of the table. */
export interface EntryIssue {
  code: string;
  severity: string;
  message: string;
}

/** A row of the entries table (HTML and JSON). */
export interface EntryRow {
  /** Item id; null for a rejected entry. */
  itemId: number | null;
  file: string;
  n: number;
  line: number;
  title: string;
  outcome: string;
  source: string | null;
  country: string | null;
  date: string | null;
  language: string | null;
  doi: string | null;
  issues: EntryIssue[];
}

/** One strict check and whether it passed. */
export interface Check {
  name: string;
  ok: boolean;
  /** What was measured against what, one sentence. */
  detail: string;
}

/** The whole report. */
export interface Report {
  /** Version of this object's shape. */
  version: 1;
  generatedAt: string;
  /** Where the data came from, e.g. `PGlite .digest/pglite` (set by the caller). */
  database: string | null;
  /** How the runs were chosen: `latest`, `run`, or `since`. */
  scope: { kind: 'latest' | 'run' | 'since'; since: string | null };
  run: RunSection;
  coverage: CoverageSection;
  diagnostics: DiagnosticsSection;
  duplicates: DuplicatesSection;
  languages: Count[];
  countries: Breakdown;
  sources: Breakdown;
  dates: DatesSection;
  timing: TimingSection;
  entries: { total: number; rows: EntryRow[] };
  /** Threshold checks (`--strict` fails when any is not ok). */
  checks: Check[];
}
