import { francAll } from 'franc';
import { data } from 'franc/data.js';
import { expressions } from 'franc/expressions.js';

/**
 * franc's ranking (franc 6.2: `francAll(text, { only, minLength: 1 })`), computed the same way
 * but without its per-call costs: franc builds a dictionary object of trigram strings, sorts
 * it, filters its 80 Latin models on every call and counts the characters of all 30 scripts.
 * Here the models of the configured languages are built once as one table trigram -> rank per
 * language, a trigram is a number (three indexes into the models' alphabet) and its count a
 * slot of a typed array, and the distances are summed in one pass. franc's distance is a sum over the text's trigrams (order plays no part), so the
 * result is the same numbers in the same order (tests/unit/language/trigrams.test.ts compares
 * them on every entry of the corpora). Texts whose top script might not be Latin go to franc.
 */

/** franc's penalty for a trigram the model does not have. */
const MAX_DIFFERENCE = 300;
/** franc reads at most this many characters. */
const MAX_LENGTH = 2048;

interface Models {
  /** Languages (ISO 639-3) in franc's order (its data file), restricted to the configured ones. */
  languages: string[];
  /** Characters used by the models -> 1..K (0: a character no model uses). */
  alphabet: Map<number, number>;
  /** K + 1: trigram (a, b, c) of alphabet indexes is the number (a * size + b) * size + c. */
  size: number;
  /** trigram number -> row in `ranks`, or -1 when no model has it. */
  rowOf: Int32Array;
  /** Per row, each language's rank of the trigram (-1 when its model lacks it). */
  ranks: Int32Array;
  /** Scratch counts per trigram number (all zero between calls). */
  counts: Int32Array;
}

const cache = new Map<string, Models | null>();

/** The Latin-script models of these languages, built once per language list. */
function models(only: readonly string[]): Models | null {
  const id = only.join(',');
  if (cache.has(id)) return cache.get(id)!;
  const latin = (data as Record<string, Record<string, string>>).Latin ?? {};
  // franc iterates its data in object order and keeps the languages named in `only`.
  const languages = Object.keys(latin).filter((l) => only.includes(l));
  let out: Models | null = null;
  // Every configured language must be a Latin-script one, else franc's own path decides.
  if (languages.length === only.length && languages.length > 0) {
    const lists = languages.map((l) => latin[l]!.split('|').filter((t) => t.length === 3));
    const alphabet = new Map<number, number>();
    for (const list of lists) for (const t of list) for (let k = 0; k < 3; k++) if (!alphabet.has(t.charCodeAt(k))) alphabet.set(t.charCodeAt(k), alphabet.size + 1);
    const size = alphabet.size + 1;
    const rowOf = new Int32Array(size * size * size).fill(-1);
    const rows: number[] = [];
    const n = languages.length;
    lists.forEach((list, li) => {
      // franc: `trigrams[model[weight]] = weight` walking down, so the first index wins.
      for (let w = list.length - 1; w >= 0; w--) {
        const t = list[w]!;
        const code = (alphabet.get(t.charCodeAt(0))! * size + alphabet.get(t.charCodeAt(1))!) * size + alphabet.get(t.charCodeAt(2))!;
        let row = rowOf[code]!;
        if (row < 0) {
          row = rowOf[code] = rows.length / n;
          for (let k = 0; k < n; k++) rows.push(-1);
        }
        rows[row * n + li] = w;
      }
    });
    out = { languages, alphabet, size, rowOf, ranks: Int32Array.from(rows), counts: new Int32Array(size * size * size) };
  }
  cache.set(id, out);
  return out;
}

const LATIN = new RegExp(expressions.Latin!.source, 'g');

/** franc's `clean`: ASCII punctuation and digits to spaces, white space collapsed, lower case. */
function clean(value: string): string {
  return value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * franc's ranking of `text` over the languages `only` (ISO 639-3), best first, as
 * `[language, score]` pairs with scores in [0, 1] (1 = best); `[['und', 1]]` when it cannot tell.
 * Same output as `francAll(text, { only, minLength: 1 })`.
 */
export function francRanking(text: string, only: readonly string[]): Array<[string, number]> {
  if (!text) return [['und', 1]];
  const value = text.length > MAX_LENGTH ? text.slice(0, MAX_LENGTH) : text;
  const m = models(only);
  // franc takes the script with the largest share of characters. Scripts are disjoint sets of
  // characters, so a Latin share above one half is the top one; otherwise ask franc itself.
  LATIN.lastIndex = 0;
  const latinCount = value.match(LATIN)?.length ?? 0;
  if (!m || latinCount * 2 <= value.length) return francAll(text, { only: [...only], minLength: 1 }) as Array<[string, number]>;

  const s = ` ${clean(value)} `;
  const { alphabet, size, rowOf, ranks, counts } = m;
  const idx = new Int32Array(s.length);
  for (let i = 0; i < s.length; i++) idx[i] = alphabet.get(s.charCodeAt(i)) ?? 0;
  // Distinct trigrams: those made of model characters are counted in `counts`; the others
  // (a character no model has) cost MAX_DIFFERENCE each whatever their count.
  const touched: number[] = [];
  let other: Set<string> | null = null;
  for (let i = 0; i + 3 <= s.length; i++) {
    const a = idx[i]!, b = idx[i + 1]!, c = idx[i + 2]!;
    if (a === 0 || b === 0 || c === 0) {
      (other ??= new Set()).add(s.slice(i, i + 3));
      continue;
    }
    const code = (a * size + b) * size + c;
    if (counts[code] === 0) touched.push(code);
    counts[code]!++;
  }
  const n = m.languages.length;
  const dist = new Float64Array(n).fill((other?.size ?? 0) * MAX_DIFFERENCE);
  for (const code of touched) {
    const count = counts[code]!;
    counts[code] = 0;
    const row = rowOf[code]!;
    for (let li = 0; li < n; li++) {
      const r = row < 0 ? -1 : ranks[row * n + li]!;
      if (r < 0) dist[li]! += MAX_DIFFERENCE;
      else {
        const d = count - r - 1;
        dist[li]! += d < 0 ? -d : d;
      }
    }
  }
  // franc sorts by distance (a stable sort in data order), then normalises against the best.
  const ranked: Array<[string, number]> = m.languages.map((l, li) => [l, dist[li]!]);
  ranked.sort((a, b) => a[1] - b[1]);
  const min = ranked[0]![1];
  const max = value.length * MAX_DIFFERENCE - min;
  for (const r of ranked) r[1] = 1 - (r[1] - min) / max || 0;
  return ranked;
}
