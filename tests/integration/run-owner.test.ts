/**
 * Runs left `running` by a dead process are closed by the next run; runs of a live process,
 * and the job queue's runs, are not. On the server, ownership is an advisory lock held on a
 * session of the process that started the run (src/load/run-owner.ts).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, type DbHandle } from '../../src/db/client.ts';
import { startOwnedRun } from '../../src/load/run-owner.ts';
import { finishRun } from '../../src/load/load.ts';
import { dbTargets } from '../helpers/db.ts';

async function statusOf(h: DbHandle, id: number): Promise<string> {
  const [row] = rowsOf<{ status: string }>(await h.db.execute(sql`select status from runs where id = ${id}`));
  return row!.status;
}

for (const target of dbTargets()) {
  describe(`run ownership on ${target.name}`, () => {
    let t: Awaited<ReturnType<typeof target.open>>;
    beforeAll(async () => {
      t = await target.open();
    });
    afterAll(async () => {
      await t?.drop();
    });

    it('closes a run whose owner is gone as abandoned, with a reason, when the next run starts', async () => {
      const dead = await startOwnedRun(t.handle, 'test', ['a']);
      await dead.release(); // the process "died": its run is still running
      expect(await statusOf(t.handle, dead.runId)).toBe('running');
      const next = await startOwnedRun(t.handle, 'test', ['a']);
      expect(await statusOf(t.handle, dead.runId)).toBe('abandoned');
      const [row] = rowsOf<{ error: string; finished: boolean }>(await t.handle.db.execute(sql`select error, finished_at is not null as finished from runs where id = ${dead.runId}`));
      expect(row).toEqual({ error: 'the process that started it ended before the run finished', finished: true });
      await finishRun(t.handle.db, next.runId, 'finished');
      await next.release();
    });

    it.skipIf(target.name === 'PGlite')('leaves a live owner\'s run and the queue\'s runs alone', async () => {
      const live = await startOwnedRun(t.handle, 'test', ['b']);
      const [queued] = rowsOf<{ id: number }>(await t.handle.db.execute(sql`insert into runs (pipeline, paths, status, jobs_total) values ('test', '[]'::jsonb, 'running', 3) returning id`));
      const other = await startOwnedRun(t.handle, 'test', ['c']);
      expect(await statusOf(t.handle, live.runId)).toBe('running');
      expect(await statusOf(t.handle, queued!.id)).toBe('running');
      await finishRun(t.handle.db, other.runId, 'finished');
      await other.release();
      // Once the live owner ends without closing its run, the next run closes it.
      await live.release();
      const last = await startOwnedRun(t.handle, 'test', ['d']);
      expect(await statusOf(t.handle, live.runId)).toBe('abandoned');
      expect(await statusOf(t.handle, queued!.id)).toBe('running');
      await finishRun(t.handle.db, last.runId, 'finished');
      await last.release();
    });
  });
}
