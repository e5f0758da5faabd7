/**
 * Types of the evaluation module behind `digest eval`: the gold format of
 * ../shared/seeds/ANNOTATION.md, the report that `score` returns and the thresholds that
 * `checkThresholds` applies.
 */

/**
 * A gold value: one acceptable answer, or a list of acceptable answers (`null` is an answer
 * when the list holds it).
 */
export type GoldValue = string | null | Array<string | null>;

/** One line of a gold file, validated. Field names are those of the gold format. */
export interface GoldEntry {
  /** Raw file name, no folder. */
  file: string;
  /** 1-based position of the entry in its file. */
  n: number;
  title: string;
  country: GoldValue;
  source: GoldValue;
  date: GoldValue;
  date_flag: GoldValue;
  doi: GoldValue;
  pmid: GoldValue;
  pmcid: GoldValue;
  language: GoldValue;
  /** Slug of the underlying item; entries sharing it are duplicates of each other. */
  item: string | null;
  note: string | null;
  /** 1-based line of the gold file this entry was read from. */
  line: number;
}

/** The fields whose accuracy is measured, named as in `EntryRecord`. */
export const EVAL_FIELDS = [
  'country',
  'source',
  'date',
  'dateFlag',
  'doi',
  'pmid',
  'pmcid',
  'language',
] as const;

/** A field whose accuracy is measured. */
export type EvalField = (typeof EVAL_FIELDS)[number];

/** Entry-level (segmentation) counts and ratios. Ratios are in [0, 1]. */
export interface EntryScore {
  /** Predicted entries aligned to a gold entry. */
  tp: number;
  /** Predicted entries aligned to none. */
  fp: number;
  /** Gold entries aligned to none. */
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Accuracy of one field over the aligned entries. */
export interface FieldScore {
  field: EvalField;
  correct: number;
  /** Number of aligned entries. */
  total: number;
  /** correct / total; 1 when total is 0. */
  accuracy: number;
}

/** Entry counts of one file (by file name, without folder). */
export interface FileScore {
  file: string;
  gold: number;
  predicted: number;
  tp: number;
  fp: number;
  fn: number;
  f1: number;
}

/** Two aligned entries, each as `FILE#n` of the predicted entry (file name without folder). */
export type PairRef = [string, string];

/** Duplicate-pair scores over aligned entries only. */
export interface DuplicateScore {
  /** Pairs of aligned entries whose gold entries share an `item`. */
  gold: number;
  /** Pairs of aligned entries that `duplicateOf` links (transitively). */
  predicted: number;
  /** Pairs that are both. */
  correct: number;
  /** correct / predicted (1 when both counts are 0; 0 when only `gold` is non-zero). */
  precision: number;
  /** correct / gold (1 when both counts are 0; 0 when only `predicted` is non-zero). */
  recall: number;
  /** Gold pairs the prediction did not link. */
  missed: PairRef[];
  /** Predicted pairs that are not gold pairs. */
  spurious: PairRef[];
}

/**
 * One wrong value. An unaligned entry is a miss of field `entry`: a predicted entry with no
 * gold entry has `goldN` null, `expected` null and `got` its title; a gold entry with no
 * predicted entry has `n` null, `expected` its title and `got` null.
 */
export interface Miss {
  /** File name without folder. */
  file: string;
  /** n of the predicted entry, or null for a gold entry that was not found. */
  n: number | null;
  /** n of the gold entry, or null for a predicted entry that matches no gold entry. */
  goldN: number | null;
  field: EvalField | 'entry';
  expected: GoldValue;
  got: string | null;
}

/** What `score` returns. */
export interface EvalReport {
  /** One row per file, gold files first in gold order, then files only predicted. */
  files: FileScore[];
  entries: EntryScore;
  /** One row per field, in `EVAL_FIELDS` order. */
  fields: FieldScore[];
  duplicates: DuplicateScore;
  /** Wrong fields and unaligned entries, per file in document order. */
  misses: Miss[];
}

/** Options of `score`. */
export interface ScoreOptions {
  /**
   * Ignore predicted entries of files the gold does not annotate (default false: they count
   * as false positives).
   */
  onlyGoldFiles?: boolean;
}

/** Minimum values (ratios in [0, 1]) below which `checkThresholds` reports a failure. */
export interface MinSpec {
  entryF1?: number;
  entryPrecision?: number;
  entryRecall?: number;
  /** Minimum accuracy of every field (a `perField` value overrides it for that field). */
  field?: number;
  perField?: Partial<Record<EvalField, number>>;
  dupPrecision?: number;
  dupRecall?: number;
}
