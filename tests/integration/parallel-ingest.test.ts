import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { genPage } from '../../bench/generate.ts';
import { dbTargets } from '../helpers/db.ts';
import { snapshot } from '../helpers/snapshot.ts';
import { NOW, ROOT } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });

describe.each(dbTargets())('ingest with parse worker threads on $name', (target) => {
  const dir = mkdtempSync(join(tmpdir(), 'digest-parallel-'));
  // Generated pages with repeats across pages, the fixture corpus, and one unreadable file.
  const paths = [join(ROOT, 'tests/fixtures/corpus')];
  for (let f = 0; f < 6; f++) writeFileSync(join(dir, `gen-${f}.txt`), genPage(3, f * 40 - (f > 2 ? 20 : 0), 40));
  writeFileSync(join(dir, 'binary.txt'), Buffer.from([0, 1, 2, 0, 255, 0]));
  paths.push(dir);
  const opened: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const drop of opened) await drop();
  });

  async function ingestWith(workers: number) {
    const { handle, drop } = await target.open();
    opened.push(drop);
    const first = await runIngest(handle, paths, ctx, () => {}, { workers });
    const again = await runIngest(handle, paths, ctx, () => {}, { workers });
    return { first, again, rows: await snapshot(handle) };
  }

  it('writes the same rows, ids and counts with two workers as in the main thread alone, and a re-run is all unchanged', async () => {
    const inline = await ingestWith(0);
    const threaded = await ingestWith(2);
    expect(threaded.first.counts).toEqual(inline.first.counts);
    expect(threaded.first.issues).toEqual(inline.first.issues);
    expect(threaded.first.rejections).toEqual(inline.first.rejections);
    expect(threaded.rows).toEqual(inline.rows);
    expect(inline.first.counts.filesRejected).toBe(1);
    expect(inline.first.counts.entriesDuplicate).toBeGreaterThan(0);
    expect(threaded.again.counts.entriesUnchanged).toBe(threaded.again.counts.entriesRead);
    expect(threaded.again.counts.filesUnchanged).toBe(threaded.first.counts.filesRead - 1);
  }, 120_000);
});
