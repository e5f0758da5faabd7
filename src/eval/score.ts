import type { EntryRecord } from '../types.ts';
import { alignTitles } from './align.ts';
import { fieldMatches } from './match.ts';
import { EVAL_FIELDS } from './types.ts';
import type {
  DuplicateScore,
  EntryScore,
  EvalField,
  EvalReport,
  FieldScore,
  FileScore,
  GoldEntry,
  GoldValue,
  Miss,
  PairRef,
  ScoreOptions,
} from './types.ts';

/** The gold key of each measured field. */
const GOLD_KEY: Record<EvalField, keyof GoldEntry> = {
  country: 'country',
  source: 'source',
  date: 'date',
  dateFlag: 'date_flag',
  doi: 'doi',
  pmid: 'pmid',
  pmcid: 'pmcid',
  language: 'language',
};

/** An aligned predicted/gold pair, with the predicted entry's key and the gold item. */
interface Aligned {
  key: string;
  record: EntryRecord;
  gold: GoldEntry;
}

/** File name without folder (either separator). */
function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** `FILE#n` with FILE reduced to its name; other strings are returned unchanged. */
function entryKey(ref: string): string {
  const hash = ref.lastIndexOf('#');
  if (hash <= 0 || !/^\d+$/.test(ref.slice(hash + 1))) return ref;
  return `${baseName(ref.slice(0, hash))}#${Number(ref.slice(hash + 1))}`;
}

/** Groups items by a key, keeping first-appearance order of keys and input order inside. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** precision/recall with the convention that an empty side scores 1 only if both are empty. */
function ratios(tp: number, fp: number, fn: number): { precision: number; recall: number; f1: number } {
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? (fp === 0 ? 1 : 0) : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Union-find roots of the `duplicateOf` links, over `FILE#n` keys with FILE a bare name. */
function duplicateRoots(records: readonly EntryRecord[]): (key: string) => string {
  const parent = new Map<string, string>();
  const find = (key: string): string => {
    let root = key;
    for (let next = parent.get(root); next !== undefined && next !== root; next = parent.get(root)) root = next;
    // Path compression.
    let node = key;
    while (node !== root) {
      const next = parent.get(node) ?? root;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  for (const record of records) {
    if (record.duplicateOf === null) continue;
    const a = find(`${baseName(record.file)}#${record.n}`);
    const b = find(entryKey(record.duplicateOf));
    if (a !== b) parent.set(a, b);
  }
  return find;
}

/** Every unordered pair inside each group, as sorted `a\u0000b` strings. */
function pairsOf(groups: Iterable<readonly string[]>): Set<string> {
  const pairs = new Set<string>();
  for (const group of groups) {
    for (let i = 0; i < group.length; i++) {
      for (let j = i + 1; j < group.length; j++) {
        const a = group[i] as string;
        const b = group[j] as string;
        pairs.add(a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
      }
    }
  }
  return pairs;
}

/** Scores duplicate pairs over the aligned entries. */
function scoreDuplicates(aligned: readonly Aligned[], records: readonly EntryRecord[]): DuplicateScore {
  const rootOf = duplicateRoots(records);
  const byItem = groupBy(
    aligned.filter((a) => a.gold.item !== null),
    (a) => a.gold.item as string,
  );
  const byRoot = groupBy(aligned, (a) => rootOf(a.key));
  const keys = (groups: Map<string, Aligned[]>): string[][] =>
    [...groups.values()].map((group) => group.map((a) => a.key));
  const goldPairs = pairsOf(keys(byItem));
  const predictedPairs = pairsOf(keys(byRoot));
  const toRef = (pair: string): PairRef => pair.split('\u0000') as PairRef;
  const missed = [...goldPairs].filter((p) => !predictedPairs.has(p));
  const spurious = [...predictedPairs].filter((p) => !goldPairs.has(p));
  const correct = goldPairs.size - missed.length;
  const { precision, recall } = ratios(correct, spurious.length, missed.length);
  return {
    gold: goldPairs.size,
    predicted: predictedPairs.size,
    correct,
    precision,
    recall,
    missed: missed.map(toRef),
    spurious: spurious.map(toRef),
  };
}

/**
 * Scores parsed entries against gold entries.
 *
 * Per file (gold `file` against the name part of each record's `file`), predicted and gold
 * entries are taken in document order (by `n`) and aligned by normalised title (see
 * `alignTitles`). Aligned pairs are true positives, other predicted entries false positives,
 * other gold entries false negatives. Each field is compared on every aligned pair (see
 * `fieldMatches`; `dateFlag` against gold `date_flag`). Duplicate pairs: gold pairs share an
 * `item`; predicted pairs are in the same `duplicateOf` group (links followed transitively);
 * both are counted over aligned entries only.
 *
 * Records of files with the same name in different folders are scored as one file. Every
 * record's `duplicateOf` link counts when grouping, even links through unscored entries.
 */
export function score(records: readonly EntryRecord[], gold: readonly GoldEntry[], opts: ScoreOptions = {}): EvalReport {
  const byN = <T extends { n: number }>(items: T[]): T[] => [...items].sort((a, b) => a.n - b.n);
  const goldByFile = groupBy(gold, (g) => baseName(g.file));
  const recordsByFile = groupBy(records, (r) => baseName(r.file));
  const fileNames = [...goldByFile.keys()];
  if (!opts.onlyGoldFiles) fileNames.push(...[...recordsByFile.keys()].filter((f) => !goldByFile.has(f)));

  const files: FileScore[] = [];
  const aligned: Aligned[] = [];
  const misses: Miss[] = [];
  const correct = new Map<EvalField, number>(EVAL_FIELDS.map((f) => [f, 0]));

  for (const file of fileNames) {
    const goldEntries = byN(goldByFile.get(file) ?? []);
    const predicted = byN(recordsByFile.get(file) ?? []);
    const pairs = alignTitles(
      predicted.map((r) => r.title),
      goldEntries.map((g) => g.title),
    );
    let nextP = 0;
    let nextG = 0;
    const unalignedUpTo = (p: number, g: number): void => {
      for (; nextG < g; nextG++) {
        const entry = goldEntries[nextG] as GoldEntry;
        misses.push({ file, n: null, goldN: entry.n, field: 'entry', expected: entry.title, got: null });
      }
      for (; nextP < p; nextP++) {
        const record = predicted[nextP] as EntryRecord;
        misses.push({ file, n: record.n, goldN: null, field: 'entry', expected: null, got: record.title });
      }
    };
    for (const [p, g] of pairs) {
      unalignedUpTo(p, g);
      const record = predicted[p] as EntryRecord;
      const entry = goldEntries[g] as GoldEntry;
      aligned.push({ key: `${file}#${record.n}`, record, gold: entry });
      for (const field of EVAL_FIELDS) {
        const expected = entry[GOLD_KEY[field]] as GoldValue;
        const got = record[field];
        if (fieldMatches(field, got, expected)) {
          correct.set(field, (correct.get(field) ?? 0) + 1);
        } else {
          misses.push({ file, n: record.n, goldN: entry.n, field, expected, got });
        }
      }
      nextP = p + 1;
      nextG = g + 1;
    }
    unalignedUpTo(predicted.length, goldEntries.length);
    const tp = pairs.length;
    const fp = predicted.length - tp;
    const fn = goldEntries.length - tp;
    files.push({ file, gold: goldEntries.length, predicted: predicted.length, tp, fp, fn, f1: ratios(tp, fp, fn).f1 });
  }

  const tp = aligned.length;
  const fp = files.reduce((sum, f) => sum + f.fp, 0);
  const fn = files.reduce((sum, f) => sum + f.fn, 0);
  const entries: EntryScore = { tp, fp, fn, ...ratios(tp, fp, fn) };
  const fields: FieldScore[] = EVAL_FIELDS.map((field) => {
    const ok = correct.get(field) ?? 0;
    return { field, correct: ok, total: tp, accuracy: tp === 0 ? 1 : ok / tp };
  });
  return { files, entries, fields, duplicates: scoreDuplicates(aligned, records), misses };
}
