import { sql } from 'drizzle-orm';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DbHandle, rowsOf } from '../../src/db/client.ts';
import { genPage } from '../../bench/generate.ts';
import { digest } from '../helpers/cli.ts';
import { freshDatabase, SERVER_URL, SKIP_MESSAGE, startDigest, stop, until, writePages } from './helpers.ts';

type Row = Record<string, unknown>;
const q = async (h: DbHandle, query: ReturnType<typeof sql>) => rowsOf<Row>(await h.db.execute(query));

if (!SERVER_URL) describe('a worker killed mid-document', () => it.skip(SKIP_MESSAGE, () => {}));

describe.skipIf(!SERVER_URL)('a worker killed mid-document (PostgreSQL server)', () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('leaves the document to another worker, which completes it within a minute with no duplicated rows', async () => {
    // A large page, first in the queue; the worker is killed inside its load transaction.
    const dir = writePages(10, 10, { seed: 21, prefix: 'small' });
    const big = join(dir, 'a-big.txt');
    writeFileSync(big, genPage(22, 5_000_000, 2500));
    const env = { DATABASE_URL: db.url!, DIGEST_DB_DIR: undefined };

    const a = startDigest(['worker'], env);
    let b: ReturnType<typeof startDigest> | null = null;
    // Holds a SHARE lock on `entries` so that the worker's load stops at its insert, mid-transaction,
    // however fast the machine is (a sleep before the kill let a fast machine finish the page first).
    const holder = postgres(db.url!, { max: 1, onnotice: () => {} });
    const held = await holder.reserve();
    try {
      const started = await a.waitFor((e) => e.event === 'worker-start', 90_000);
      await held`begin`;
      await held`lock table entries in share mode`;
      const enq = digest(['enqueue', dir], { env });
      expect(enq.code).toBe(0);
      const runId = Number(/run (\d+):/.exec(enq.stdout)![1]);

      await a.waitFor((e) => e.event === 'job-start' && e.path === big, 60_000);
      await until('the worker to wait on the lock inside its load', async () => {
        const [w] = await q(db.handle, sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into "entries"%'`);
        return Number(w?.n) > 0;
      }, 60_000);
      expect(a.events.some((e) => e.event === 'job' && e.path === big)).toBe(false); // still mid-document
      a.child.kill('SIGKILL');
      await held`rollback`;
      const killedAt = Date.now();
      expect(await a.exited).toEqual({ code: null, signal: 'SIGKILL' });

      // The job is still locked by the dead pool, and nothing of the document was committed.
      const [locked] = await q(db.handle, sql`select locked_by, attempts from graphile_worker.jobs where key like ${'%a-big.txt'}`);
      expect(locked).toEqual({ locked_by: started.pool, attempts: 1 });
      expect((await q(db.handle, sql`select count(*)::int as n from documents where path = ${big}`))[0]).toEqual({ n: 0 });

      b = startDigest(['worker'], env);
      const done = await b.waitFor((e) => e.event === 'job' && e.path === big, 90_000);
      const recoveredMs = Date.now() - killedAt;
      console.info(`crash test: the killed worker's document was completed by the other worker ${(recoveredMs / 1000).toFixed(1)} s after the kill`);
      expect(recoveredMs).toBeLessThan(60_000);
      expect(done).toMatchObject({ status: 'loaded', attempt: 2 });
      expect(b.events.some((e) => e.event === 'sweep' && (e.unlockedPools as string[]).includes(started.pool as string))).toBe(true);
      await until('the run to finish', async () => (await q(db.handle, sql`select status from runs where id = ${runId}`))[0]?.status === 'finished', 60_000);

      // One version of each file; one occurrence per accepted entry; counts from one attempt only.
      const [docs] = await q(db.handle, sql`select count(*)::int as n, count(distinct path)::int as paths, sum(entry_count)::int as entries from documents`);
      expect(docs).toMatchObject({ n: 11, paths: 11 });
      const [bigDoc] = await q(db.handle, sql`select d.entry_count, (select count(*)::int from occurrences o where o.document_id = d.id) as occ from documents d where path = ${big}`);
      const [run] = await q(db.handle, sql`select * from runs where id = ${runId}`);
      expect(run).toMatchObject({ status: 'finished', jobs_total: 11, jobs_done: 11, files_read: 11, entries_read: docs!.entries });
      const [bigRejected] = await q(db.handle, sql`select count(distinct d.n)::int as n from diagnostics d join documents x on x.id = d.document_id where x.path = ${big} and d.severity = 'error' and d.n is not null`);
      expect(Number(bigDoc!.occ)).toBe(Number(bigDoc!.entry_count) - Number(bigRejected!.n));
      const [occ] = await q(db.handle, sql`select count(*)::int as n, count(distinct (document_id, n))::int as distinct_n from occurrences`);
      expect(occ!.n).toBe(occ!.distinct_n);
      const [items] = await q(db.handle, sql`select count(*)::int as n, count(distinct key)::int as keys from entries`);
      expect(items!.n).toBe(items!.keys);
      expect((await q(db.handle, sql`select count(*)::int as n from graphile_worker.jobs`))[0]).toEqual({ n: 0 });
      expect(await stop(b)).toEqual({ code: 0, signal: null });
    } finally {
      if (a.child.exitCode == null && a.child.signalCode == null) a.child.kill('SIGKILL');
      await held`rollback`.catch(() => {});
      held.release();
      await holder.end();
      if (b) await stop(b, 5_000);
    }
  }, 180_000);
});
