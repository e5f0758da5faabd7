/**
 * entry_buckets, the near-duplicate index, is kept equal to entries.bands of the live items by
 * the triggers of migrations/0002 whoever writes `entries`: inserts (one statement, many rows),
 * an item whose text changed, `digest merge` and its undo, deletes and TRUNCATE. A database
 * loaded before the migration gets its items' buckets when it is migrated. A run vacuums the
 * table as it grows, so the near-duplicate probe reads the index alone.
 * On PGlite, and on the server when TEST_DATABASE_URL is set.
 *
 * Reproduce: npx vitest run tests/integration/entry-buckets.test.ts
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type DbHandle, rowsOf } from '../../src/db/client.ts';
import { nearCandidates } from '../../src/load/load.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { checkEntryBuckets } from '../../src/verify/checks.ts';
import { dbTargets, insertItems, openWithRun, type TestItem } from '../helpers/db.ts';
import { NOW, ROOT } from '../helpers/paths.ts';

const RAW = ['sample-digest-2023.txt', 'sample-prison-section.txt'].map((f) => join(ROOT, 'raw', f));

/** Made-up buckets far from real ones: `n` values from `base` on. */
const buckets = (base: number, n: number) => Array.from({ length: n }, (_, k) => 800_000_000_000 + base * 1000 + k);

describe.each(dbTargets())('entry_buckets on $name', (target) => {
  let handle: DbHandle;
  let runId: number;
  let close: () => Promise<void>;

  /** The index's rows as "entry:bucket", sorted. */
  async function indexRows(): Promise<string[]> {
    const rows = rowsOf<{ bucket: number | string; entry_id: number }>(await handle.db.execute(sql`select bucket, entry_id from entry_buckets order by entry_id, bucket`));
    return rows.map((r) => `${r.entry_id}:${r.bucket}`);
  }
  const expected = (items: Array<[number, number[]]>) => items.flatMap(([id, b]) => [...new Set(b)].sort((x, y) => x - y).map((k) => `${id}:${k}`));

  const addItems = (items: TestItem[]) => insertItems(handle.db, runId, items);

  beforeAll(async () => {
    ({ handle, runId, close } = await openWithRun(target));
  });
  afterAll(async () => {
    await close?.();
  });

  it('follows inserts, changed bands, merges and their undo, deletes and TRUNCATE', async () => {
    // One statement, three items; the second lists a bucket twice (stored once).
    const [a, b, c] = await addItems([
      { key: 'bk-a', bands: buckets(1, 3) },
      { key: 'bk-b', bands: [...buckets(2, 2), buckets(2, 1)[0]!] },
      { key: 'bk-c', bands: buckets(1, 2) },
    ]);
    expect(await indexRows()).toEqual(expected([[a!, buckets(1, 3)], [b!, buckets(2, 2)], [c!, buckets(1, 2)]]));
    expect(await checkEntryBuckets(handle.db)).toEqual([]);

    // An item whose text changed moves to its new buckets.
    await handle.db.execute(sql`update entries set bands = ${sql.raw(`array[${buckets(3, 2).join(',')}]::bigint[]`)} where id = ${a!}`);
    expect(await indexRows()).toEqual(expected([[a!, buckets(3, 2)], [b!, buckets(2, 2)], [c!, buckets(1, 2)]]));

    // Updates that change neither bands nor the merge leave the index alone.
    await handle.db.execute(sql`update entries set in_latest = not in_latest, last_run_id = ${runId}`);
    expect(await indexRows()).toEqual(expected([[a!, buckets(3, 2)], [b!, buckets(2, 2)], [c!, buckets(1, 2)]]));

    // Merged into another: its buckets go; unmerged: they come back.
    await handle.db.execute(sql`update entries set merged_into_id = ${b!} where id = ${c!}`);
    expect(await indexRows()).toEqual(expected([[a!, buckets(3, 2)], [b!, buckets(2, 2)]]));
    const found = await nearCandidates(handle.db, [{ i: 0, bands: buckets(1, 2) }]);
    expect(found.get(0) ?? []).toEqual([]);
    await handle.db.execute(sql`update entries set merged_into_id = null where id = ${c!}`);
    expect(await indexRows()).toEqual(expected([[a!, buckets(3, 2)], [b!, buckets(2, 2)], [c!, buckets(1, 2)]]));
    expect((await nearCandidates(handle.db, [{ i: 0, bands: buckets(1, 2) }])).get(0)?.map((x) => x.id)).toEqual([c!]);

    // An item inserted already merged has no buckets.
    const rows = rowsOf<{ id: number }>(await handle.db.execute(sql`insert into entries (key, title_key, bands, title, body, language, content_hash, provenance, issues, first_run_id, last_run_id, merged_into_id)
      values ('bk-d', 'bk-d', ${sql.raw(`array[${buckets(4, 2).join(',')}]::bigint[]`)}, 'd', '', 'en', 'bk-d', '{}'::jsonb, '[]'::jsonb, ${runId}, ${runId}, ${a!}) returning id`));
    expect(rows).toHaveLength(1);
    expect(await indexRows()).toEqual(expected([[a!, buckets(3, 2)], [b!, buckets(2, 2)], [c!, buckets(1, 2)]]));

    await handle.db.execute(sql`delete from entries where id in (${a!}, ${rows[0]!.id})`);
    expect(await indexRows()).toEqual(expected([[b!, buckets(2, 2)], [c!, buckets(1, 2)]]));
    expect(await checkEntryBuckets(handle.db)).toEqual([]);

    await handle.db.execute(sql`truncate entries cascade`);
    expect(await indexRows()).toEqual([]);
  });
});

describe.each(dbTargets())('migrating a database loaded before entry_buckets on $name', (target) => {
  let handle: DbHandle;
  let url: string | null;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, url, drop } = await target.open());
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await drop?.();
  });

  it('fills entry_buckets with the live items\' buckets, and matching finds them', async () => {
    await runIngest(handle, RAW, createContext({ now: NOW }));
    // Back to the schema of migrations/0000 (GIN index on entries.bands, no entry_buckets), as a
    // database loaded by the version before it; one item merged meanwhile.
    const downgrade = [
      'drop trigger entries_buckets_insert on entries', 'drop trigger entries_buckets_update on entries',
      'drop trigger entries_buckets_delete on entries', 'drop trigger entries_buckets_truncate on entries',
      'drop function entry_buckets_after_insert()', 'drop function entry_buckets_after_update()',
      'drop function entry_buckets_after_delete()', 'drop function entry_buckets_after_truncate()',
      'drop table entry_buckets',
      'create index entries_bands_idx on entries using gin (bands) with (fastupdate = false)',
      'delete from drizzle.__drizzle_migrations where created_at > (select min(created_at) from drizzle.__drizzle_migrations)',
      'update entries set merged_into_id = (select min(id) from entries) where id = (select max(id) from entries)',
    ];
    for (const q of downgrade) await handle.db.execute(sql.raw(q));
    const live = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from (select distinct e.id, b from entries e, unnest(e.bands) b where e.merged_into_id is null) x`))[0]!.n;
    expect(live).toBeGreaterThan(100);

    // Opening it again applies the new migrations.
    if (target.name === 'PGlite') {
      // An in-memory PGlite cannot be reopened: migrate this handle with the committed folder.
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      const { MIGRATIONS_DIR } = await import('../../src/db/client.ts');
      await migrate(handle.db as never, { migrationsFolder: MIGRATIONS_DIR });
    } else {
      await handle.close();
      handle = await createDb({ url: url! });
    }
    const n = rowsOf<{ n: number }>(await handle.db.execute(sql`select count(*)::int as n from entry_buckets`))[0]!.n;
    expect(n).toBe(live);
    expect(await checkEntryBuckets(handle.db)).toEqual([]);
    const gin = rowsOf<{ t: string | null }>(await handle.db.execute(sql`select to_regclass('entries_bands_idx')::text as t`))[0]!;
    expect(gin.t).toBeNull();

    // Every live item is its own best candidate again.
    const items = rowsOf<{ id: number; bands: number[] }>(await handle.db.execute(sql`select id, bands from entries where merged_into_id is null order by id limit 5`));
    const found = await nearCandidates(handle.db, items.map((it, i) => ({ i, bands: it.bands.map(Number) })));
    items.forEach((it, i) => expect(found.get(i)?.[0]?.id).toBe(it.id));
  });
});

describe.each(dbTargets())('the loader keeps entry_buckets vacuumed on $name', (target) => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ handle, drop } = await target.open());
    // Only the loader vacuums this test's table (autovacuum, where on, would race the control).
    await handle.db.execute(sql`alter table entry_buckets set (autovacuum_enabled = false)`);
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await drop?.();
  });

  /** Heap pages the bounded bucket lookup of every stored bucket fetched (0: index-only). */
  async function heapFetches(): Promise<number> {
    return handle.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      await tx.execute(sql`set local enable_bitmapscan = off`);
      const plan = rowsOf<Record<string, string>>(await tx.execute(sql`explain (analyze, costs off, timing off, summary off)
        select c.entry_id from (select distinct bucket from entry_buckets) q
        cross join lateral (select s.entry_id from entry_buckets s where s.bucket = q.bucket order by s.entry_id limit 64) c`))
        .map((r) => Object.values(r)[0]!).join('\n');
      const found = [...plan.matchAll(/Heap Fetches: (\d+)/g)].map((m) => Number(m[1]));
      expect(found.length).toBeGreaterThan(0);
      return found.reduce((a, b) => a + b, 0);
    });
  }

  it('vacuums after every bucketVacuumEvery entries loaded (never in a dry run), so bucket lookups fetch no heap page', async () => {
    const dry = await runIngest(handle, [RAW[0]!], createContext({ now: NOW }), () => {}, { dryRun: true, bucketVacuumEvery: 1 });
    expect(dry.status).toBe('finished');
    // The default interval is far above these pages: rows stay unvacuumed, lookups visit the heap.
    await runIngest(handle, [RAW[0]!], createContext({ now: NOW }));
    expect(await heapFetches()).toBeGreaterThan(0);
    await runIngest(handle, [RAW[1]!], createContext({ now: NOW }), () => {}, { bucketVacuumEvery: 1 });
    expect(await heapFetches()).toBe(0);
    expect(await checkEntryBuckets(handle.db)).toEqual([]);
  });
});
