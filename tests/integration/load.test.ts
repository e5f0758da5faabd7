import { mkdtempSync, writeFileSync, copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq, max, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnostics, documents, entries, entryVersions, occurrences, runs } from '../../src/db/schema.ts';
import type { DbHandle } from '../../src/db/client.ts';
import { LOAD_STEPS, type LoadTimings } from '../../src/load/load.ts';
import { exportEntries } from '../../src/load/queries.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import type { RunResult } from '../../src/types.ts';
import { dbTargets } from '../helpers/db.ts';
import { HAS_SEED, NOW, ROOT, SEED_TXT } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });

/** A folder of inputs the tests own: the shipped sample pages plus a PNG renamed .txt. */
function makeInputs() {
  const dir = mkdtempSync(join(tmpdir(), 'digest-load-'));
  mkdirSync(join(dir, 'pages'));
  copyFileSync(join(ROOT, 'raw/sample-digest-2023.txt'), join(dir, 'pages/a.txt'));
  copyFileSync(join(ROOT, 'raw/sample-prison-section.txt'), join(dir, 'pages/b.txt'));
  // 1x1 PNG with a .txt name.
  writeFileSync(join(dir, 'pages/picture.txt'), Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'));
  return dir;
}

async function tableCounts(h: DbHandle) {
  const c = async (t: typeof entries | typeof occurrences | typeof documents | typeof diagnostics) => (await h.db.select({ n: count() }).from(t))[0]!.n;
  return {
    entries: await c(entries),
    occurrences: await c(occurrences),
    documents: await c(documents),
    maxEntryId: (await h.db.select({ m: max(entries.id) }).from(entries))[0]!.m,
    maxOccurrenceId: (await h.db.select({ m: max(occurrences.id) }).from(occurrences))[0]!.m,
  };
}

function accountingHolds(r: RunResult) {
  const c = r.counts;
  return c.entriesRead === c.entriesNew + c.entriesUpdated + c.entriesUnchanged + c.entriesDuplicate + c.entriesRejected;
}

const exportsByTarget = new Map<string, unknown[]>();

describe.each(dbTargets())('loading into $name', (target) => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  let dir: string;

  beforeAll(async () => {
    const opened = await target.open();
    handle = opened.handle;
    drop = opened.drop;
    dir = makeInputs();
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await drop?.();
  });

  it('loads every entry of the good files and records the PNG as a rejected document with its reason', async () => {
    const r = await runIngest(handle, [join(dir, 'pages')], ctx);
    expect(r.status).toBe('finished');
    expect(r.counts.filesRead).toBe(3);
    expect(r.counts.filesRejected).toBe(1);
    expect(r.counts.entriesRead).toBe(13);
    expect(r.counts.entriesNew).toBe(11);
    expect(r.counts.entriesDuplicate).toBe(2); // a repeated title line, and a paper on both pages
    expect(accountingHolds(r)).toBe(true);
    expect(r.rejections).toEqual([
      expect.objectContaining({ file: join(dir, 'pages/picture.txt'), code: 'read/binary', message: expect.stringContaining('PNG image') }),
    ]);
    const [row] = await handle.db.select().from(runs).where(eq(runs.id, r.runId));
    expect(row).toMatchObject({ status: 'finished', filesRead: 3, filesRejected: 1, entriesRead: 13, entriesNew: 11, entriesDuplicate: 2, entriesUnchanged: 0 });
    const rejected = await handle.db.select().from(diagnostics).where(eq(diagnostics.code, 'read/binary'));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.file).toBe(join(dir, 'pages/picture.txt'));
    const t = await tableCounts(handle);
    expect(t.entries).toBe(11);
    expect(t.occurrences).toBe(13);
  });

  it('stores clean values with their provenance', async () => {
    const [paper] = await handle.db.select().from(entries).where(eq(entries.pmid, '37301122'));
    expect(paper).toMatchObject({
      source: 'Int J Drug Policy',
      date: '2023-06-02',
      datePrecision: 'day',
      doi: '10.1016/j.ijdrugpo.2023.104051',
      pmcid: 'PMC10301122',
      language: 'en',
    });
    expect(paper!.provenance).toMatchObject({ date: { rule: 'date/citation', text: '2023 Jun 2' } });
    const [bad] = await handle.db.select().from(entries).where(sql`${entries.title} like 'USA. Mobile methadone%'`);
    expect(bad).toMatchObject({ date: '2021', datePrecision: 'year', dateFlag: 'invalid' });
    expect(bad!.issues).toContain('date/invalid');
  });

  it('adds no rows when the same files are ingested again, and says all entries are unchanged', async () => {
    const before = await tableCounts(handle);
    const r = await runIngest(handle, [join(dir, 'pages')], ctx);
    expect(r.counts).toMatchObject({ filesRead: 3, filesUnchanged: 2, filesRejected: 1, entriesRead: 13, entriesNew: 0, entriesUnchanged: 13 });
    expect(accountingHolds(r)).toBe(true);
    expect(await tableCounts(handle)).toEqual(before);
  });

  it('updates a changed item in place, keeps its id and keeps the previous values', async () => {
    const page = join(dir, 'pages/b.txt');
    const [old] = await handle.db.select().from(entries).where(sql`${entries.title} like 'Australien.%'`);
    const text = (await import('node:fs')).readFileSync(page, 'utf8').replace('one in five samples', 'one in four samples');
    writeFileSync(page, text);
    const r = await runIngest(handle, [page], ctx);
    expect(r.counts).toMatchObject({ entriesRead: 3, entriesNew: 0, entriesUpdated: 1, entriesUnchanged: 2 });
    const [now] = await handle.db.select().from(entries).where(eq(entries.id, old!.id));
    expect(now!.body).toContain('one in four samples');
    const versions = await handle.db.select().from(entryVersions).where(eq(entryVersions.entryId, old!.id));
    expect(versions).toHaveLength(1);
    expect((versions[0]!.values as { body: string }).body).toContain('one in five samples');
  });

  it('sums the time of each load step when asked, and the steps account for the loading', async () => {
    const page = join(dir, 'timed.txt');
    copyFileSync(join(ROOT, 'raw/sample-digest-2023.txt'), page);
    writeFileSync(page, `${readFileSync(page, 'utf8')}\nA new paper on naloxone kits in pharmacies\nA study of 400 pharmacies in Ohio. (Example Wire, USA, 03.04.2024)\n`);
    const timings: LoadTimings = {};
    const t = performance.now();
    const r = await runIngest(handle, [page], ctx, () => {}, { loadTimings: timings });
    const wall = performance.now() - t;
    expect(r.counts.entriesNew).toBe(1);
    expect(Object.keys(timings).sort()).toEqual([...LOAD_STEPS].sort());
    for (const step of LOAD_STEPS) expect(timings[step]).toBeGreaterThanOrEqual(0);
    const sum = LOAD_STEPS.reduce((a, k) => a + timings[k]!, 0);
    expect(sum).toBeGreaterThan(0);
    expect(sum).toBeLessThanOrEqual(wall);
    // The document's own load time (stored on its row) is the same span, measured in whole ms.
    const [doc] = await handle.db.select({ loadMs: documents.loadMs }).from(documents).where(sql`${documents.path} = ${page} and ${documents.latest}`);
    expect(Math.abs(sum - doc!.loadMs!)).toBeLessThan(50);
  });

  it.skipIf(!HAS_SEED)('loads the seed page: 30 items and the repeated title line as a duplicate', async () => {
    const r = await runIngest(handle, [SEED_TXT], ctx);
    expect(r.counts).toMatchObject({ entriesRead: 31, entriesNew: 30, entriesDuplicate: 1, entriesRejected: 0 });
    const all = await exportEntries(handle.db);
    const seedRows = all.filter((e) => e.file === SEED_TXT).map(({ id: _id, ...rest }) => rest);
    expect(seedRows).toHaveLength(30);
    exportsByTarget.set(target.name, seedRows);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL || !HAS_SEED)('both databases', () => {
  it('export the same seed entries from PGlite and from the server', () => {
    const a = exportsByTarget.get('PGlite');
    const b = exportsByTarget.get('PostgreSQL server');
    expect(a).toBeDefined();
    expect(b).toEqual(a);
  });
});
