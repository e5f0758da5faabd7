/**
 * Normalises a title for alignment: Unicode NFC, every run of white space (including U+00A0
 * and the other Unicode spaces) collapsed to one space, and trimmed.
 */
export function normaliseTitle(title: string): string {
  return title.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * Aligns two title sequences monotonically (a longest common subsequence over normalised
 * titles), so that a missing or extra entry shifts nothing else. Where several alignments are
 * equally long, earlier entries are matched first (a repeated title aligns to its first
 * occurrence).
 *
 * @returns the aligned pairs `[predictedIndex, goldIndex]`, both increasing.
 */
export function alignTitles(predicted: readonly string[], gold: readonly string[]): Array<[number, number]> {
  const p = predicted.map(normaliseTitle);
  const g = gold.map(normaliseTitle);
  const width = g.length + 1;
  // lcs[i * width + j] = length of the LCS of p[i..] and g[j..].
  const lcs = new Uint32Array((p.length + 1) * width);
  const at = (i: number, j: number): number => lcs[i * width + j] ?? 0;
  for (let i = p.length - 1; i >= 0; i--) {
    for (let j = g.length - 1; j >= 0; j--) {
      lcs[i * width + j] = p[i] === g[j] ? 1 + at(i + 1, j + 1) : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const pairs: Array<[number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < p.length && j < g.length) {
    if (p[i] === g[j]) {
      // Matching equal heads is always part of some longest alignment.
      pairs.push([i, j]);
      i++;
      j++;
    } else if (at(i + 1, j) >= at(i, j + 1)) {
      i++;
    } else {
      j++;
    }
  }
  return pairs;
}
