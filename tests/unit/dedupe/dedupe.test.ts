import { describe, expect, it } from 'vitest';
import { dedupe, newDedupeState } from '../../../src/dedupe/dedupe.ts';
import type { DedupedEntry } from '../../../src/types.ts';
import { dedupePage, entryOf, testContext } from '../extract/helpers.ts';

const body = 'Peers tell how the network grew from a kitchen table to a national voice for people who use drugs.';
const otherBody = 'A court in the capital ruled that the clinic must stay open while the appeal is heard next spring.';

/** Dedupes the entries written in `texts` (one entry each, no segmenter) as page.txt #1, #2, … */
function dedupeEntries(...texts: string[]): DedupedEntry[] {
  return dedupe(texts.map((t, i) => entryOf(t, 'page.txt', i + 1)), newDedupeState(), testContext());
}
const matches = (out: DedupedEntry[]) => out.map((e) => [e.n, e.duplicateOf, e.match?.rule ?? null]);

describe('dedupe', () => {
  it('merges an entry with the same natural key as an earlier one (exact-key), across documents', () => {
    const state = newDedupeState();
    const ctx = testContext();
    const first = dedupe([entryOf(`Peers open a centre\n\n${body}\n\n(Filter, USA, 12.05.2021)`, 'a.txt', 1)], state, ctx);
    const second = dedupe([entryOf('Peers open a centre\n\nA shorter body.\n\n(Filter, USA, 12.05.2021)', 'b.txt', 4)], state, ctx);
    expect(first[0]).toMatchObject({ duplicateOf: null, match: null });
    expect(second[0]).toMatchObject({
      duplicateOf: 'a.txt#1', itemKey: first[0]!.itemKey, match: { rule: 'exact-key', similarity: 1, of: 'a.txt#1' },
    });
    expect(second[0]!.contentHash).not.toBe(first[0]!.contentHash);
  });

  it('merges a bare repeated title line into the entry it repeats (repeated-title), with a diagnostic', () => {
    const page = [
      'Episode 6. Peers in the south', '', `${body} (Drug Reporter, Ungarn, 10.08.2020)`, '',
      'Episode 6. Peers in the south', '',
      'Episode 4. Peers in the west', '', `${body} (Drug Reporter, Ungarn, 27.07.2020)`,
    ].join('\n');
    const out = dedupePage(page);
    expect(out.map((e) => [e.n, e.title, e.duplicateOf, e.match?.rule ?? null])).toEqual([
      [1, 'Episode 6. Peers in the south', null, null],
      [2, 'Episode 6. Peers in the south', 'page.txt#1', 'repeated-title'],
      [3, 'Episode 4. Peers in the west', null, null],
    ]);
    expect(out[1]!.itemKey).toBe(out[0]!.itemKey);
    expect(out[1]!.diagnostics.filter((d) => d.code === 'dedupe/repeated-title')).toMatchObject([
      { severity: 'info', file: 'page.txt', n: 2, line: 5 },
    ]);
  });

  it('keeps "The Methadone Manifesto" apart from an article whose title starts with it', () => {
    const out = dedupeEntries(
      `USA. The Methadone Manifesto: A Powerful Blow Against the Clinic System\n\n${body}\n\n(Filter, USA, 12.05.2021)`,
      `USA. The Methadone Manifesto\n\nCall to Action\n\n${otherBody}`,
      'USA. The Methadone Manifesto',
    );
    expect(out.map((e) => [e.n, e.duplicateOf])).toEqual([[1, null], [2, null], [3, 'page.txt#2']]);
    expect(out[1]!.itemKey).not.toBe(out[0]!.itemKey);
  });

  it('merges "Kanada. X" and "X" with the same source and date (the prefix is not part of the key)', () => {
    const out = dedupeEntries(
      `Kanada. Opioids - A Survivors-Guide\n\n${body}\n\n(Peer Network, Kanada, Mai 2019)`,
      `Opioids - A Survivors-Guide\n\nAnother body.\n\n(Peer Network, Kanada, Mai 2019)`,
    );
    expect(matches(out)).toEqual([[1, null, null], [2, 'page.txt#1', 'exact-key']]);
  });

  it('merges titles that differ only in typographic versus straight quotes and dashes', () => {
    const out = dedupeEntries(
      `TAKING BACK WHAT’S OURS! – Episode 2\n\n${body}\n\n(Drug Reporter, Ungarn, 06.07.2020)`,
      `TAKING BACK WHAT'S OURS! - Episode 2\n\n${body}\n\n(Drug Reporter, Ungarn, 06.07.2020)`,
    );
    expect(matches(out)).toEqual([[1, null, null], [2, 'page.txt#1', 'exact-key']]);
  });

  it.each([
    ['another date', '(Filter, USA, 13.05.2021)'],
    ['another source', '(Drug Reporter, USA, 12.05.2021)'],
    ['no note at all', ''],
  ])('keeps the same title apart when the second entry has %s', (_what, note) => {
    const out = dedupeEntries(`Peers open a centre\n\n${body}\n\n(Filter, USA, 12.05.2021)`, `Peers open a centre\n\n${otherBody}\n\n${note}`);
    expect(matches(out)).toEqual([[1, null, null], [2, null, null]]);
  });

  it('merges the same text without its source note as a near-duplicate, keeping the similarity', () => {
    const out = dedupeEntries(`Peers open a centre\n\n${body}\n\n(Filter, USA, 12.05.2021)`, `Peers open a centre\n\n${body}`);
    expect(out[1]).toMatchObject({ duplicateOf: 'page.txt#1', itemKey: out[0]!.itemKey, match: { rule: 'near-duplicate', of: 'page.txt#1' } });
    expect(out[1]!.match!.similarity).toBeGreaterThanOrEqual(0.8);
    expect(out[1]!.diagnostics.filter((d) => d.code === 'dedupe/near-duplicate')).toMatchObject([{ severity: 'info', file: 'page.txt', n: 2, line: 1 }]);
  });

  it('keeps two episodes of a series apart even when their text is nearly the same', () => {
    const out = dedupeEntries(`Taking back what is ours: Episode 4\n\n${body}`, `Taking back what is ours: Episode 6\n\n${body}`);
    expect(matches(out)).toEqual([[1, null, null], [2, null, null]]);
  });

  it('merges a bare title line only into an earlier entry with the same title, not into any entry', () => {
    const out = dedupeEntries(`Peers open a centre\n\n${body}\n\n(Filter, USA, 12.05.2021)`, 'Peers open another centre');
    expect(matches(out)).toEqual([[1, null, null], [2, null, null]]);
  });

  it('gives every entry its own key as item key when nothing matches', () => {
    const out = dedupeEntries(`One item\n\n${body}\n\n(Filter, USA, 12.05.2021)`, `Another item\n\n${otherBody}\n\n(Filter, USA, 12.05.2021)`);
    expect(out.map((e) => e.itemKey)).toEqual(out.map((e) => e.key));
    expect(out.map((e) => e.key)).toEqual(['one item|filter|2021-05-12', 'another item|filter|2021-05-12']);
  });
});
