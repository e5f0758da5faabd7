import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbHandle, rowsOf } from '../../src/db/client.ts';
import { freshDatabase, SERVER_URL, SKIP_MESSAGE, startDigest, stop, until, writePages } from './helpers.ts';

type Row = Record<string, unknown>;
const q = async (h: DbHandle, query: ReturnType<typeof sql>) => rowsOf<Row>(await h.db.execute(query));

if (!SERVER_URL) describe('digest schedule', () => it.skip(SKIP_MESSAGE, () => {}));

describe.skipIf(!SERVER_URL)('digest schedule (PostgreSQL server)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    db = await freshDatabase();
    env = { DATABASE_URL: db.url!, DIGEST_DB_DIR: undefined };
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('runs on each tick, and a second run over an unchanged folder does no work', async () => {
    const dir = writePages(20, 10, { seed: 31 });
    const p = startDigest(['schedule', '--every', '1s', '--ticks', '2', dir], env);
    expect(await p.exited).toEqual({ code: 0, signal: null });
    const runs = p.events.filter((e) => e.event === 'run');
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ status: 'finished', counts: { filesRead: 20, filesUnchanged: 0, filesRejected: 0 } });
    expect((runs[0]!.counts as Record<string, number>).entriesNew).toBeGreaterThan(150);
    expect(runs[1]).toMatchObject({ status: 'finished', counts: { filesRead: 20, filesUnchanged: 20, entriesNew: 0, entriesUpdated: 0 }, next: null });
    const rows = await q(db.handle, sql`select status, files_unchanged from runs where id in (${runs[0]!.runId as number}, ${runs[1]!.runId as number}) order by id`);
    expect(rows).toEqual([{ status: 'finished', files_unchanged: 0 }, { status: 'finished', files_unchanged: 20 }]);
    expect((await q(db.handle, sql`select count(*)::int as n from documents where path like ${`${dir}%`}`))[0]).toEqual({ n: 20 });
  }, 120_000);

  it('never runs two schedules of one input set at once: the second one skips while the first runs', async () => {
    const dir = writePages(40, 40, { seed: 32 });
    const procs = [startDigest(['schedule', '--every', '1s', '--ticks', '5', dir], env), startDigest(['schedule', '--every', '1s', '--ticks', '5', dir], env)];
    const exits = await Promise.all(procs.map((p) => p.exited));
    expect(exits).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);
    const lines = procs.flatMap((p) => p.events);
    const runIds = lines.filter((e) => e.event === 'run').map((e) => e.runId as number);
    expect(runIds.length).toBeGreaterThanOrEqual(2);
    expect(lines.filter((e) => e.event === 'skip').length).toBeGreaterThan(0);
    const rows = (await q(db.handle, sql`
      select id, started_at, finished_at, status from runs
      where id in (select json_array_elements_text(${JSON.stringify(runIds)}::json)::int) order by started_at`)) as Array<{ id: number; started_at: string; finished_at: string; status: string }>;
    expect(rows).toHaveLength(runIds.length);
    for (const r of rows) expect(r.status).toBe('finished');
    for (let i = 1; i < rows.length; i++) {
      expect(new Date(rows[i - 1]!.finished_at).getTime()).toBeLessThanOrEqual(new Date(rows[i]!.started_at).getTime());
    }
    // Exactly one version of each page was loaded, by whichever process ran first.
    expect((await q(db.handle, sql`select count(*)::int as n, count(distinct path)::int as paths from documents where path like ${`${dir}%`}`))[0]).toEqual({ n: 40, paths: 40 });
  }, 150_000);

  it('stops on SIGTERM after the current document, records the run as abandoned, and the next run loads the rest', async () => {
    const dir = writePages(40, 40, { seed: 33 });
    const p = startDigest(['schedule', '--every', '1s', dir], env);
    const loaded = async () => (await q(db.handle, sql`select count(*)::int as n from documents where path like ${`${dir}%`}`))[0]!.n as number;
    await until('a few documents to load', async () => (await loaded()) >= 3, 90_000);
    expect(await stop(p)).toEqual({ code: 0, signal: null });
    const [line] = p.events.filter((e) => e.event === 'run');
    expect(line).toMatchObject({ status: 'abandoned' });
    const [run] = await q(db.handle, sql`select status, files_read from runs where id = ${line!.runId as number}`);
    expect(run!.status).toBe('abandoned');
    const done = await loaded();
    expect(done).toBeLessThan(40);
    expect(run!.files_read).toBe(done);
    // Every document that was loaded is complete: one occurrence per accepted entry.
    const partial = await q(db.handle, sql`
      select d.path from documents d
      where d.path like ${`${dir}%`}
        and d.entry_count <> (select count(*) from occurrences o where o.document_id = d.id)
                           + (select count(distinct x.n) from diagnostics x where x.document_id = d.id and x.severity = 'error' and x.n is not null)`);
    expect(partial).toEqual([]);

    const next = startDigest(['schedule', '--every', '1s', '--ticks', '1', dir], env);
    expect(await next.exited).toEqual({ code: 0, signal: null });
    expect(next.events.find((e) => e.event === 'run')).toMatchObject({ status: 'finished', counts: { filesRead: 40, filesUnchanged: done } });
    expect(await loaded()).toBe(40);
  }, 150_000);
});
