/**
 * The records that pass between digest-etl's stages. One named type per boundary:
 *
 *   bytes ─read─▶ RawDocument ─blocks─▶ Block[] ─segment─▶ EntryDraft[]
 *     ─extract─▶ ExtractedEntry[] ─language/quality─▶ Entry[] ─dedupe─▶ DedupedEntry[] ─load─▶ db
 *
 * After `blocks`, no code knows whether the input was text, Markdown or HTML.
 */

/** Input formats the reader understands. */
export type Format = 'text' | 'markdown' | 'html';

/** How bad a diagnostic is. `error` entries/documents are rejected; the rest are loaded. */
export type Severity = 'error' | 'warning' | 'info';

/**
 * A problem (or a notable fact) found in content. Content problems are data, never exceptions:
 * every diagnostic names its rule (`code`), the file and, where known, the line and entry.
 */
export interface Diagnostic {
  /** Stable rule id, e.g. `date/invalid`. Documented in the README. */
  code: string;
  severity: Severity;
  /** One sentence a person can read. */
  message: string;
  /** Input path as given. */
  file: string;
  /** 1-based source line, or null for whole-document problems. */
  line: number | null;
  /** 1-based entry position in the file, or null for document-level diagnostics. */
  n: number | null;
  /** The text that triggered it (shortened), if any. */
  excerpt?: string | null;
  /** Extra machine-readable data (for example `{ similarity: 0.93 }`). */
  data?: Record<string, unknown>;
}

/** A decoded, normalised input file. `text` is NFC, LF line endings, no BOM. */
export interface RawDocument {
  /** Input path as given on the command line (or found under a given folder). */
  path: string;
  /** sha256 of the raw bytes, hex. */
  sha256: string;
  format: Format;
  /** Byte length of the raw file. */
  bytes: number;
  /** Encoding the bytes were decoded from, e.g. `utf-8`, `utf-16le`, `windows-1252`. */
  encoding: string;
  text: string;
  /** Document-level notes from reading (for example `read/decoded-windows-1252`). */
  diagnostics: Diagnostic[];
}

/** A file that could not be read as a document at all. */
export interface RejectedDocument {
  path: string;
  sha256: string | null;
  bytes: number | null;
  /** The reason, as a diagnostic with severity `error` (code e.g. `read/binary`). */
  reason: Diagnostic;
}

/** What the reader returns for one path. */
export type ReadResult = { ok: true; doc: RawDocument } | { ok: false; rejected: RejectedDocument };

/** One physical line of source text and its 1-based line number. */
export interface Line {
  text: string;
  line: number;
}

/**
 * A format-free unit of text: a paragraph (consecutive non-blank lines in text, a `<p>` in
 * HTML, a paragraph node in Markdown), a heading or a list item.
 */
export interface Block {
  kind: 'paragraph' | 'heading' | 'list-item';
  /** The block's lines, in order; at least one, none empty after trimming. */
  lines: Line[];
  /**
   * How strongly this block is separated from the previous one, in blank-line units:
   * 0 = directly adjacent, 1 = one blank line, 2+ = two or more (an entry break).
   * The first block of a document has gapBefore >= 2.
   */
  gapBefore: number;
  /** URLs of links inside the block (Markdown/HTML), in order. */
  links: string[];
}

/** A document split into blocks, with reader-level diagnostics. */
export interface BlockDocument {
  doc: RawDocument;
  blocks: Block[];
  diagnostics: Diagnostic[];
}

/** Why the segmenter ended an entry where it did (kept for `explain` and for tests). */
export type EntryBoundary =
  | 'gap'
  | 'source-note'
  | 'citation'
  | 'repeated-title'
  | 'end-of-document';

/** One entry as cut out of a document, before any field is read. */
export interface EntryDraft {
  file: string;
  /** 1-based position of the entry in its file. */
  n: number;
  /** The first line, trimmed (including U+00A0), kept exactly as written otherwise. */
  title: string;
  titleLine: number;
  /** The blocks after the title; the title's own block minus its first line comes first. */
  body: Block[];
  /** Last source line of the entry. */
  endLine: number;
  /** Why the entry ended. */
  closedBy: EntryBoundary;
  /** Links found in the entry's blocks. */
  links: string[];
  /** Segmentation diagnostics (for example `segment/orphan-text`). */
  diagnostics: Diagnostic[];
}

/** Where a value came from: the line, the characters and the rule that found it. */
export interface Provenance {
  /** Rule id, e.g. `country/title-prefix`. */
  rule: string;
  /** 1-based source line. */
  line: number;
  /** The text the value was read from. */
  text: string;
}

/** A value found by a rule, with its provenance. */
export interface Found<T> extends Provenance {
  value: T;
}

/** Precision of a date value. */
export type DatePrecision = 'day' | 'month' | 'year';

/** `invalid`: written but impossible/malformed; `accessed`: an access date, not publication. */
export type DateFlag = 'invalid' | 'accessed';

/** A date as the entry states it, at the precision it states it. */
export interface DateValue {
  /** `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or null when nothing usable was written. */
  date: string | null;
  precision: DatePrecision | null;
  flag: DateFlag | null;
}

/** A source parenthetical such as "(Filter, USA, 12.05.2021)", split into its parts. */
export interface SourceNote {
  /** The text between the parentheses (for an unclosed note, up to the end of the entry). */
  inner: string;
  line: number;
  closed: boolean;
  /** Comma-separated parts, nested parentheses kept whole. */
  parts: string[];
}

/** The fields the extractors fill. Each is null when nothing was found. */
export interface ExtractedFields {
  country: Found<string> | null;
  source: Found<string> | null;
  date: Found<DateValue> | null;
  doi: Found<string> | null;
  pmid: Found<string> | null;
  pmcid: Found<string> | null;
  urls: string[];
}

/** An entry with its fields read. */
export interface ExtractedEntry {
  draft: EntryDraft;
  /** The body as one string: paragraphs joined by a blank line, lines by `\n`. */
  body: string;
  sourceNote: SourceNote | null;
  fields: ExtractedFields;
  diagnostics: Diagnostic[];
}

/** ISO 639-1 code or `und`. */
export type LanguageCode = string;

/** A fully parsed entry: the JSONL record of `digest parse` plus provenance. */
export interface Entry {
  file: string;
  n: number;
  title: string;
  body: string;
  source: string | null;
  country: string | null;
  date: string | null;
  datePrecision: DatePrecision | null;
  dateFlag: DateFlag | null;
  doi: string | null;
  pmid: string | null;
  pmcid: string | null;
  language: LanguageCode;
  titleLine: number;
  endLine: number;
  /** Rule and span per field (null where the field is null). */
  provenance: Record<FieldName, Provenance | null>;
  /** Every diagnostic on the entry. */
  diagnostics: Diagnostic[];
}

/** Names of the extracted scalar fields. */
export type FieldName =
  | 'title'
  | 'country'
  | 'source'
  | 'date'
  | 'doi'
  | 'pmid'
  | 'pmcid'
  | 'language';

/** How an entry was matched to an item. */
export interface MatchDecision {
  /** `exact-key`, `repeated-title`, `near-duplicate`, ... */
  rule: string;
  /** 1 for exact rules; the measured similarity for fuzzy ones. */
  similarity: number;
  /** `FILE#n` of the first occurrence in this run, or `item:<id>` for a loaded item. */
  of: string;
}

/** An entry assigned to its item. */
export interface DedupedEntry extends Entry {
  /** Natural key of the entry's own content (normalised title + source + date). */
  key: string;
  /** Natural key of the item the entry belongs to (its own key unless merged). */
  itemKey: string;
  /** sha256 over the entry's content fields; changes when any value changes. */
  contentHash: string;
  /** `FILE#n` of the first occurrence of the same item in this run, else null. */
  duplicateOf: string | null;
  match: MatchDecision | null;
  /** Folded title without country prefix (repeated-title rule). */
  titleKey: string;
  /** MinHash LSH buckets of the entry's text (near-duplicate rule). */
  bands: number[];
  /** True for a bare title line: no body, no source, no date. */
  titleOnly: boolean;
}

/** The JSONL record of `digest parse` (DESIGN.md contract). */
export interface EntryRecord {
  file: string;
  n: number;
  title: string;
  body: string;
  source: string | null;
  country: string | null;
  date: string | null;
  datePrecision: DatePrecision | null;
  dateFlag: DateFlag | null;
  doi: string | null;
  pmid: string | null;
  pmcid: string | null;
  language: LanguageCode;
  duplicateOf: string | null;
  issues: string[];
}

/** Counts kept for every run; `entriesRead` is the sum of the five outcomes. */
export interface RunCounts {
  filesRead: number;
  filesRejected: number;
  filesUnchanged: number;
  entriesRead: number;
  entriesNew: number;
  entriesUpdated: number;
  entriesUnchanged: number;
  entriesDuplicate: number;
  entriesRejected: number;
}

/** The outcome of a run: what the CLI prints, the `runs` row stores and the report reads. */
export interface RunResult {
  runId: number;
  /**
   * `abandoned`: stopped on request before its last document (`IngestOptions.shouldStop`); what
   * it loaded stays, nothing was retired, and `error` holds the reason.
   */
  status: 'finished' | 'failed' | 'abandoned';
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: RunCounts;
  /** Diagnostic code -> number of occurrences in this run. */
  issues: Record<string, number>;
  /** Rejected documents and entries, with their reasons. */
  rejections: Array<{ file: string; n: number | null; line: number | null; code: string; message: string }>;
  error: string | null;
}

/** Minimal structured logger the stages may use. */
export interface Logger {
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  debug(msg: string, data?: Record<string, unknown>): void;
}

/** Settings of a source family (see `pipelines/`). */
export interface PipelineConfig {
  name: string;
  /** ISO 639-1 codes franc may answer with. */
  languages: string[];
  /** Below this many letters the language is `und`. */
  languageMinLength: number;
  /** Only the first N characters of title + body go to franc. */
  languageMaxChars: number;
  /** franc's normalised score of the runner-up must be below 1 - margin, else `und`. */
  languageMargin: number;
  /** Lines that are page chrome, never entries (whole-line regex sources, case-insensitive). */
  chrome: string[];
  /** Near-duplicate similarity at or above which two entries are one item. */
  nearDuplicateThreshold: number;
  /** Cron expression for `digest schedule`, or null. */
  schedule: string | null;
  /** Largest entry (title + body characters) that is loaded; larger ones are rejected as `entry/too-large`. Default 1,000,000. */
  maxEntryChars?: number;
  /** Largest input file (bytes) that is read; larger ones are rejected as `read/too-large`. Default 20 MiB. */
  maxFileBytes?: number;
  /** Seconds the loader waits for a lock another session holds before it gives up with an error naming the holder. Default 30. */
  lockTimeoutSeconds?: number;
}

/** What every stage receives besides its input. Stages never read clocks, env or globals. */
export interface RunContext {
  /** Run id once a run row exists; null for `digest parse`. */
  runId: number | null;
  /** Reference "now" for anything date-relative (tests fix it). */
  now: Date;
  config: PipelineConfig;
  log: Logger;
}
