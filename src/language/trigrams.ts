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
  /**
   * UTF-16 code unit -> 1..K for the characters used by the models (0: a character no model
   * uses). A table, not a Map: one lookup per character of every text.
   */
  alphabet: Uint16Array;
  /** K + 1: trigram (a, b, c) of alphabet indexes is the number (a * size + b) * size + c. */
  size: number;
  /**
   * trigram number -> row in `ranks`, or -1 when no model has it. 16 bits (rows are at most the
   * models' 300 trigrams per language): the table is read at random once per trigram of a
   * text, and half the size is fewer cache misses.
   */
  rowOf: Int16Array;
  /** Per row, each language's rank of the trigram (-1 when its model lacks it). */
  ranks: Int32Array;
  /** Scratch counts per row (all zero between calls): small, unlike a count per trigram number. */
  counts: Int32Array;
  /** Scratch marks of the trigram numbers without a row seen in a text (all zero between calls). */
  seen: Uint8Array;
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
    const table = new Uint16Array(0x10000);
    for (const [code, k] of alphabet) table[code] = k;
    const rowCount = rows.length / n;
    if (rowCount > 0x7fff) throw new Error(`franc models with ${rowCount} trigrams do not fit a 16-bit row index`);
    out = { languages, alphabet: table, size, rowOf: Int16Array.from(rowOf), ranks: Int32Array.from(rows), counts: new Int32Array(rowCount), seen: new Uint8Array(size * size * size) };
  }
  cache.set(id, out);
  return out;
}

/** franc's Latin-script expression, matched at one position (a character or a surrogate pair). */
const LATIN_AT = new RegExp(expressions.Latin!.source, 'y');

/**
 * How many matches franc's Latin expression has in `value` (franc: `value.match(expression)`),
 * without building the array of matches: ASCII letters and U+00C0-U+02B8 (but × and ÷), all in
 * the expression, are counted by their code; other characters ask the expression.
 */
function latinCount(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0x2b8 && c !== 0xd7 && c !== 0xf7)) n++;
    else if (c >= 0xaa) {
      LATIN_AT.lastIndex = i;
      if (LATIN_AT.test(value)) {
        n++;
        i = LATIN_AT.lastIndex - 1;
      }
    }
  }
  return n;
}

/** franc's `clean`: ASCII punctuation and digits to spaces, white space collapsed, lower case. */
function clean(value: string): string {
  return value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

/**
 * The char codes of ` ${clean(value)} ` (what franc reads trigrams from) when `value` has only
 * characters up to U+00FF, else null. There clean() is one pass: a run of ASCII punctuation,
 * digits and white space (the \s of U+0000-U+00FF: tab to carriage return, space, NBSP) is one
 * space, none at either end; lower case is A-Z and U+00C0-U+00DE but × (the only letters of
 * the range that toLowerCase changes). No strings are built.
 */
function latin1Cleaned(value: string): Uint16Array | null {
  const out = new Uint16Array(value.length + 2);
  let n = 0;
  out[n++] = 32;
  let gap = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0xff) return null;
    if ((c >= 0x21 && c <= 0x40) || c === 32 || (c >= 9 && c <= 13) || c === 0xa0) {
      gap = true;
      continue;
    }
    if (gap && n > 1) out[n++] = 32;
    gap = false;
    out[n++] = (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0xde && c !== 0xd7) ? c + 32 : c;
  }
  out[n++] = 32;
  return out.subarray(0, n);
}

/** The char codes of ` ${clean(value)} `. */
function cleanedCodes(value: string): Uint16Array {
  const fast = latin1Cleaned(value);
  if (fast) return fast;
  const s = ` ${clean(value)} `;
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
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
  if (!m || latinCount(value) * 2 <= value.length) return francAll(text, { only: [...only], minLength: 1 }) as Array<[string, number]>;

  const s = cleanedCodes(value);
  const { alphabet, size, rowOf, ranks, counts, seen } = m;
  const idx = new Int32Array(s.length);
  for (let i = 0; i < s.length; i++) idx[i] = alphabet[s[i]!]!;
  // Distinct trigrams: those of a model are counted per row in `counts`; the others (no model
  // has them, or one of their characters is in no model) cost MAX_DIFFERENCE for every
  // language whatever their count, so only how many distinct ones there are matters.
  const touched: number[] = [];
  const unmodelled: number[] = [];
  let other: Set<string> | null = null;
  for (let i = 0; i + 3 <= s.length; i++) {
    const a = idx[i]!, b = idx[i + 1]!, c = idx[i + 2]!;
    if (a === 0 || b === 0 || c === 0) {
      (other ??= new Set()).add(String.fromCharCode(s[i]!, s[i + 1]!, s[i + 2]!));
      continue;
    }
    const code = (a * size + b) * size + c;
    const row = rowOf[code]!;
    if (row < 0) {
      if (seen[code] === 0) {
        seen[code] = 1;
        unmodelled.push(code);
      }
      continue;
    }
    if (counts[row] === 0) touched.push(row);
    counts[row]!++;
  }
  for (const code of unmodelled) seen[code] = 0;
  const n = m.languages.length;
  const dist = new Float64Array(n).fill(((other?.size ?? 0) + unmodelled.length) * MAX_DIFFERENCE);
  for (const row of touched) {
    const count = counts[row]!;
    counts[row] = 0;
    for (let li = 0; li < n; li++) {
      const r = ranks[row * n + li]!;
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
