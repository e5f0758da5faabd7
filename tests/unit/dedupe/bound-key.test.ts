import { describe, expect, it } from 'vitest';
import { boundKey, MAX_KEY_CHARS, naturalKey, titleKey } from '../../../src/dedupe/keys.ts';

/** Seeded random lower-case letters (they do not compress, unlike repeated words). */
function randomLetters(n: number, seed: number): string {
  let s = seed;
  let out = '';
  while (out.length < n) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    out += String.fromCharCode(97 + ((s >> 16) % 26));
  }
  return out;
}

describe('bounded keys', () => {
  it('leaves keys of up to MAX_KEY_CHARS characters as they are', () => {
    const k = 'a'.repeat(MAX_KEY_CHARS);
    expect(boundKey(k)).toBe(k);
    expect(titleKey('Kanada. Naloxon in allen Apotheken')).toBe('naloxon in allen apotheken');
  });

  it('cuts a long key to MAX_KEY_CHARS characters ending in ~ and 16 hex digits of the whole key\'s hash', () => {
    const long = randomLetters(5000, 1);
    const k = boundKey(long);
    expect(Array.from(k)).toHaveLength(MAX_KEY_CHARS);
    expect(k.startsWith(long.slice(0, MAX_KEY_CHARS - 17))).toBe(true);
    expect(k).toMatch(/~[0-9a-f]{16}$/);
    expect(boundKey(long)).toBe(k); // deterministic
  });

  it('keeps long keys that differ only at the end apart', () => {
    const a = randomLetters(5000, 2);
    const b = `${a.slice(0, -1)}${a.endsWith('x') ? 'y' : 'x'}`;
    expect(boundKey(a)).not.toBe(boundKey(b));
    expect(naturalKey({ title: a, source: 'Filter', date: '2021-05-12' })).not.toBe(naturalKey({ title: b, source: 'Filter', date: '2021-05-12' }));
  });

  it('never cuts an emoji or an astral character in half', () => {
    const k = boundKey('😀'.repeat(1000));
    expect(k.startsWith('😀'.repeat(MAX_KEY_CHARS - 17))).toBe(true);
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(k)).toBe(false);
    expect(Buffer.byteLength(k, 'utf8')).toBeLessThan(2704);
  });
});
