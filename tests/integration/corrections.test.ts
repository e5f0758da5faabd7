import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { dedupeOverrides, entries, occurrences, runs } from '../../src/db/schema.ts';
import { CorrectionError, findOccurrence, listMerges, mergeItems, splitEntry } from '../../src/load/overrides.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { verifyDatabase } from '../../src/verify/verify.ts';
import { dbTargets } from '../helpers/db.ts';
import { NOW, ROOT } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });
const FIX = join(ROOT, 'tests/fixtures/versions');

describe.each(dbTargets())('dry runs and corrections on $name', (target) => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'digest-corr-'));
  const a = join(dir, 'section-a.txt');
  const b = join(dir, 'section-b.txt');

  beforeAll(async () => {
    ({ handle, drop } = await target.open());
    copyFileSync(join(FIX, 'section-a.txt'), a);
    copyFileSync(join(FIX, 'section-b.txt'), b);
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await drop?.();
  });

  const itemCount = async () => (await handle.db.select({ n: count() }).from(entries).where(isNull(entries.mergedIntoId)))[0]!.n;

  it('reports with --dry-run what a run would do, and writes nothing', async () => {
    const dry = await runIngest(handle, [a, b], ctx, () => {}, { dryRun: true });
    expect(dry.counts).toMatchObject({ entriesRead: 15, entriesNew: 10, entriesDuplicate: 5 });
    expect(await itemCount()).toBe(0);
    expect((await handle.db.select({ n: count() }).from(runs))[0]!.n).toBe(0);
    const real = await runIngest(handle, [a, b], ctx);
    expect(real.counts).toEqual(dry.counts);
    expect(await itemCount()).toBe(10);
  });

  it('lists every merge with both texts, its rule and similarity', async () => {
    const merges = await listMerges(handle.db);
    expect(merges).toHaveLength(5);
    const repeated = merges.find((m) => m.rule === 'repeated-title')!;
    expect(repeated).toMatchObject({ file: a, n: 6, itemFile: a, itemN: 5, similarity: 1 });
    expect(repeated.entryTitle).toBe(repeated.itemTitle);
    const crossPage = merges.filter((m) => m.file === b);
    expect(crossPage).toHaveLength(4);
    for (const m of crossPage) expect(m.itemFile).toBe(a);
  });

  it('splits an entry off its item with `split`, and a later run keeps it apart', async () => {
    // section-a#6 is a bare repeat of #5's title, merged by the repeated-title rule.
    const occ = (await findOccurrence(handle.db, `${a}#6`))!;
    expect(occ.matchRule).toBe('repeated-title');
    const before = await itemCount();
    const { newItemId } = await splitEntry(handle.db, occ.entryId, `${a}#6`, 'not the same report');
    expect(await itemCount()).toBe(before + 1);
    expect((await findOccurrence(handle.db, `${a}#6`))!.entryId).toBe(newItemId);
    expect((await findOccurrence(handle.db, `${a}#5`))!.entryId).toBe(occ.entryId);
    // A new version of page a (one unrelated word changed) is parsed again: the split holds.
    writeFileSync(a, readFileSync(a, 'utf8').replace('doubles', 'has doubled'));
    await runIngest(handle, [a], ctx);
    expect((await findOccurrence(handle.db, `${a}#6`))!.entryId).toBe(newItemId);
    expect((await findOccurrence(handle.db, `${a}#5`))!.entryId).toBe(occ.entryId);
    expect(await itemCount()).toBe(before + 1);
    const overrides = await handle.db.select().from(dedupeOverrides).where(eq(dedupeOverrides.kind, 'split'));
    expect(overrides).toEqual([expect.objectContaining({ entryId: newItemId, note: 'not the same report' })]);
    // Every invariant holds, the near-duplicate index included (the split-off item has its buckets).
    expect((await verifyDatabase(handle.db)).problems).toEqual([]);
  });

  it('merges two items with `merge`; the merged one is kept but hidden, and a later run keeps them joined', async () => {
    const keep = (await findOccurrence(handle.db, `${a}#1`))!.entryId;
    const gone = (await findOccurrence(handle.db, `${a}#3`))!.entryId;
    const before = await itemCount();
    const r = await mergeItems(handle.db, keep, gone);
    expect(r.occurrences).toBe(3); // section-a#3 in both versions of page a, and its copy on page b
    expect(await itemCount()).toBe(before - 1);
    const [hidden] = await handle.db.select().from(entries).where(eq(entries.id, gone));
    expect(hidden!.mergedIntoId).toBe(keep);
    writeFileSync(a, readFileSync(a, 'utf8').replace('has doubled', 'doubled'));
    await runIngest(handle, [a], ctx);
    expect((await findOccurrence(handle.db, `${a}#3`))!.entryId).toBe(keep);
    const occ = await handle.db.select().from(occurrences).where(eq(occurrences.entryId, gone));
    expect(occ).toEqual([]);
    // The hidden item left the near-duplicate index; every other invariant holds too.
    expect((await verifyDatabase(handle.db)).problems).toEqual([]);
  });

  it('refuses corrections that make no sense, with a reason', async () => {
    const occ = (await findOccurrence(handle.db, `${a}#2`))!;
    await expect(mergeItems(handle.db, occ.entryId, occ.entryId)).rejects.toThrow(CorrectionError);
    await expect(mergeItems(handle.db, occ.entryId, 999_999)).rejects.toThrow('there is no item 999999');
    await expect(splitEntry(handle.db, occ.entryId + 1000, `${a}#2`)).rejects.toThrow(`belongs to item ${occ.entryId}`);
    // b#2 has a#2's natural key (same title without prefix, source and date): it cannot be split.
    await expect(splitEntry(handle.db, occ.entryId, `${b}#2`)).rejects.toThrow('same title, source and date');
  });
});
