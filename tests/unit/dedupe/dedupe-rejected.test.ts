import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newDedupeState } from '../../../src/dedupe/dedupe.ts';
import { createContext, defaultConfig } from '../../../src/pipeline/context.ts';
import { parseAndDedupe } from '../../../src/pipeline/parse.ts';
import { decodeBytes } from '../../../src/read/decode.ts';
import type { RawDocument } from '../../../src/types.ts';
import { NOW, ROOT } from '../../helpers/paths.ts';

describe('dedupe with rejected entries', () => {
  it('never merges an entry into a rejected one (it is not loaded, so it cannot be an item)', () => {
    const path = join(ROOT, 'raw/sample-digest-2023.txt');
    const doc = (decodeBytes(path, readFileSync(path)) as { ok: true; doc: RawDocument }).doc;
    const ctx = createContext({ now: NOW, config: { ...defaultConfig(), maxEntryChars: 400 } });
    const { entries } = parseAndDedupe(doc, ctx, newDedupeState());
    const first = entries.find((e) => e.n === 1)!;
    const repeat = entries.find((e) => e.n === 8)!;
    expect(first.diagnostics.map((d) => d.code)).toContain('entry/too-large');
    expect(repeat.title).toBe(first.title);
    expect(repeat.duplicateOf).toBeNull();
    expect(repeat.itemKey).toBe(repeat.key);
  });
});
