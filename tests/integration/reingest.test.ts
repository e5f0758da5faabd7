import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, isNull, max } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { documents, entries, entryKeys, entryVersions, occurrences } from '../../src/db/schema.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { dbTargets } from '../helpers/db.ts';
import { HAS_SEED, NOW, ROOT, SEED_TXT } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });
const FIX = join(ROOT, 'tests/fixtures/versions');
const versionsGold = JSON.parse(readFileSync(join(FIX, 'versions.gold.json'), 'utf8')) as Record<string, { new: number; changed: number; unchanged: number }>;
const itemsGold = readFileSync(join(FIX, 'items.gold.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; n: number; title: string; item: string });

/** Item id per (document path, n) from the occurrences of the given document versions. */
async function itemIdsOf(h: DbHandle, docIds: Map<number, string>) {
  const rows = await h.db.select({ documentId: occurrences.documentId, n: occurrences.n, entryId: occurrences.entryId }).from(occurrences);
  const out = new Map<string, number>();
  for (const r of rows) {
    const name = docIds.get(r.documentId);
    if (name) out.set(`${name}#${r.n}`, r.entryId);
  }
  return out;
}

describe.each(dbTargets())('re-ingesting pages on $name', (target) => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'digest-versions-'));
  const page = join(dir, 'naloxone.txt');
  /** document id -> the fixture file name it was loaded from. */
  const docNames = new Map<number, string>();
  const runsByVersion = new Map<string, Awaited<ReturnType<typeof runIngest>>>();

  async function ingestVersion(name: string) {
    copyFileSync(join(FIX, name), page);
    const r = await runIngest(handle, [page], ctx);
    const [latest] = await handle.db.select({ id: documents.id }).from(documents).where(eq(documents.latest, true));
    docNames.set(latest!.id, name);
    runsByVersion.set(name, r);
    return r;
  }

  beforeAll(async () => {
    ({ handle, drop } = await target.open());
    for (const v of ['naloxone-v1.txt', 'naloxone-v2.txt', 'naloxone-v3.txt']) await ingestVersion(v);
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await drop?.();
  });

  it('counts new, changed and unchanged entries of each successive version as the gold says', () => {
    for (const [name, want] of Object.entries(versionsGold)) {
      const c = runsByVersion.get(name)!.counts;
      expect({ file: name, new: c.entriesNew, changed: c.entriesUpdated, unchanged: c.entriesUnchanged }).toEqual({ file: name, ...want });
      expect(c.entriesRead).toBe(c.entriesNew + c.entriesUpdated + c.entriesUnchanged + c.entriesDuplicate + c.entriesRejected);
    }
  });

  it('leaves exactly one row per item of the three versions, grouped as the gold groups them', async () => {
    const gold = itemsGold.filter((g) => g.file.startsWith('naloxone-'));
    const ids = await itemIdsOf(handle, docNames);
    const slugToId = new Map<string, number>();
    for (const g of gold) {
      const id = ids.get(`${g.file}#${g.n}`);
      expect(id, `${g.file}#${g.n} has an item`).toBeDefined();
      if (slugToId.has(g.item)) expect(id, `${g.file}#${g.n} belongs to ${g.item}`).toBe(slugToId.get(g.item));
      else slugToId.set(g.item, id!);
    }
    expect(new Set(slugToId.values()).size).toBe(slugToId.size);
    const [{ n }] = (await handle.db.select({ n: count() }).from(entries)) as [{ n: number }];
    expect(n).toBe(slugToId.size);
  });

  it('keeps the id of an item whose title typo was fixed, takes the new title, and keeps the old one', async () => {
    const v1 = itemsGold.find((g) => g.file === 'naloxone-v1.txt' && /naloxon\b/i.test(g.title))!;
    const v2 = itemsGold.find((g) => g.file === 'naloxone-v2.txt' && g.item === v1.item)!;
    expect(v2.title).not.toBe(v1.title);
    const ids = await itemIdsOf(handle, docNames);
    const id = ids.get(`naloxone-v1.txt#${v1.n}`)!;
    expect(ids.get(`naloxone-v2.txt#${v2.n}`)).toBe(id);
    const [item] = await handle.db.select().from(entries).where(eq(entries.id, id));
    expect(item!.title).toBe(v2.title);
    const versions = await handle.db.select().from(entryVersions).where(eq(entryVersions.entryId, id));
    expect(versions.map((v) => (v.values as { title: string }).title)).toContain(v1.title);
    const keys = await handle.db.select().from(entryKeys).where(eq(entryKeys.entryId, id));
    expect(keys.map((k) => k.rule).sort()).toEqual(['first', 'near-duplicate']);
    expect(keys.find((k) => k.rule === 'near-duplicate')!.similarity).toBeGreaterThan(0.8);
  });

  it('keeps an item dropped from the newest version, marked as not in the latest version', async () => {
    const inV2 = new Set(itemsGold.filter((g) => g.file === 'naloxone-v2.txt').map((g) => g.item));
    const inV3 = new Set(itemsGold.filter((g) => g.file === 'naloxone-v3.txt').map((g) => g.item));
    const dropped = [...inV2].filter((s) => !inV3.has(s));
    expect(dropped).toHaveLength(1);
    const stale = await handle.db.select({ id: entries.id, title: entries.title }).from(entries).where(eq(entries.inLatest, false));
    expect(stale).toHaveLength(1);
    const goldTitle = itemsGold.find((g) => g.item === dropped[0])!.title;
    expect(stale[0]!.title).toBe(goldTitle);
  });

  it('skips an unchanged page without writing: all entries unchanged, row counts and max ids equal', async () => {
    const snapshot = async () => ({
      entries: (await handle.db.select({ n: count(), m: max(entries.id) }).from(entries))[0],
      occurrences: (await handle.db.select({ n: count(), m: max(occurrences.id) }).from(occurrences))[0],
      keys: (await handle.db.select({ n: count() }).from(entryKeys))[0],
    });
    const before = await snapshot();
    const r = await runIngest(handle, [page], ctx);
    expect(r.counts).toMatchObject({ filesUnchanged: 1, entriesRead: 12, entriesUnchanged: 12, entriesNew: 0, entriesUpdated: 0 });
    expect(await snapshot()).toEqual(before);
  });

  it('merges the items two section pages share and keeps same-subject items apart', async () => {
    const files = ['section-a.txt', 'section-b.txt', 'same-subject.txt'];
    for (const f of files) {
      const r = await runIngest(handle, [join(FIX, f)], ctx);
      const [latest] = await handle.db.select({ id: documents.id }).from(documents).where(eq(documents.path, join(FIX, f)));
      docNames.set(latest!.id, f);
      expect(r.status).toBe('finished');
    }
    const ids = await itemIdsOf(handle, docNames);
    const gold = itemsGold.filter((g) => files.includes(g.file));
    const bySlug = new Map<string, Set<number>>();
    for (const g of gold) {
      const id = ids.get(`${g.file}#${g.n}`);
      expect(id, `${g.file}#${g.n}`).toBeDefined();
      bySlug.set(g.item, (bySlug.get(g.item) ?? new Set()).add(id!));
    }
    for (const [slug, set] of bySlug) expect(set.size, `${slug} is one item`).toBe(1);
    const all = [...bySlug.values()].map((s) => [...s][0]);
    expect(new Set(all).size, 'different slugs are different items').toBe(bySlug.size);
  });

  it.skipIf(!HAS_SEED)('merges the seed page\'s repeated Episode 6 title line and keeps the two Methadone Manifesto entries apart', async () => {
    const r = await runIngest(handle, [SEED_TXT], ctx);
    expect(r.counts.entriesRead).toBe(31);
    const [doc] = await handle.db.select({ id: documents.id }).from(documents).where(eq(documents.path, SEED_TXT));
    const occ = await handle.db.select().from(occurrences).where(eq(occurrences.documentId, doc!.id));
    const at = (n: number) => occ.find((o) => o.n === n)!;
    expect(at(23).entryId).toBe(at(22).entryId);
    expect(at(23)).toMatchObject({ outcome: 'duplicate', matchRule: 'repeated-title' });
    expect(at(10).entryId).not.toBe(at(11).entryId);
    const live = await handle.db.select({ n: count() }).from(entries).where(isNull(entries.mergedIntoId));
    expect(live[0]!.n).toBeGreaterThan(0);
  });
});
