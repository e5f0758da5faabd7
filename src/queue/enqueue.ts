import { sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { diag } from '../diagnostics.ts';
import { retireAndFinish, startRun } from '../load/load.ts';
import { rejectInput } from '../pipeline/run.ts';
import { listInputs } from '../read/files.ts';
import type { RejectedDocument } from '../types.ts';
import { hashFile, type IngestPayload, jobKey, MAX_ATTEMPTS, TASK, WORKER_SCHEMA } from './job.ts';
import { addUnchanged, setJobCounts } from './runs.ts';

/** Jobs added per statement. */
const CHUNK = 500;

/** What `digest enqueue` did. */
export interface EnqueueResult {
  /** The run created for this enqueue; null when every input was already queued by another. */
  runId: number | null;
  /** Input files found under the given paths (after de-duplication). */
  inputs: number;
  /** New document jobs added for this run. */
  queued: number;
  /** Inputs whose job (same path and content) was already waiting or running, with its run. */
  alreadyQueued: Array<{ path: string; runId: number }>;
  /** Inputs whose content is already the latest loaded version: counted, no job. */
  unchanged: number;
  /** Inputs that could not be read: recorded as rejected documents of the run, no job. */
  rejected: number;
  /** True when nothing was left for a worker (no job added): the run finished right away. */
  finished: boolean;
}

/** Rolls the enqueue transaction back when it recorded nothing. */
class NothingToRecord extends Error {}

/**
 * `digest enqueue`: one transaction that creates a run, adds one `digest_ingest` job per input
 * file (job key = path + sha256 of its bytes, `unsafe_dedupe`), records unreadable inputs as
 * rejected documents and unchanged ones as unchanged, and sets the run's `jobs_total` (every
 * input the run covers) and `jobs_done` (those settled without a job). A file whose job is
 * already queued belongs to the run that queued it and is not counted again; when that is every
 * input, nothing is written and `runId` is null. A job that graphile-worker gave up on (all
 * attempts failed) is replaced, so enqueueing again after a fix retries it.
 *
 * The graphile-worker schema must exist (`runMigrations`); `add_job` runs inside this
 * transaction, so jobs appear (and workers are notified) only when the run row commits.
 */
export async function enqueueInputs(db: Db, paths: string[], opts: { pipeline: string }): Promise<EnqueueResult> {
  const hashed: Array<{ path: string; sha256: string }> = [];
  const rejected: RejectedDocument[] = [];
  const seen = new Set<string>();
  for (const item of await listInputs(paths)) {
    const path = 'rejected' in item ? item.rejected.path : item.path;
    if (seen.has(path)) continue;
    seen.add(path);
    if ('rejected' in item) {
      rejected.push(item.rejected);
      continue;
    }
    try {
      hashed.push({ path, sha256: await hashFile(path) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const reason = code === 'ENOENT'
        ? diag('read/not-found', { file: path }, `${path} does not exist.`)
        : diag('read/unreadable', { file: path }, `${path} cannot be read (${code ?? 'error'}): ${(err as Error).message}.`);
      rejected.push({ path, sha256: null, bytes: null, reason });
    }
  }

  const result: EnqueueResult = { runId: null, inputs: seen.size, queued: 0, alreadyQueued: [], unchanged: 0, rejected: rejected.length, finished: false };
  try {
    await db.transaction(async (txRaw) => {
      const tx = txRaw as unknown as Db;
      const runId = await startRun(tx, opts.pipeline, paths);

      // Unchanged files: the latest loaded version of the path has this content.
      const latest = new Map<string, { id: number; sha256: string; entryCount: number }>();
      for (let i = 0; i < hashed.length; i += CHUNK) {
        const part = hashed.slice(i, i + CHUNK).map((h) => h.path);
        const rows = rowsOf<{ id: number; path: string; sha256: string; entry_count: number }>(
          await tx.execute(sql`
            select id, path, sha256, entry_count from documents
            where latest and status = 'loaded' and path in (select json_array_elements_text(${JSON.stringify(part)}::json))`),
        );
        for (const r of rows) latest.set(r.path, { id: Number(r.id), sha256: r.sha256, entryCount: Number(r.entry_count) });
      }
      const unchanged = hashed.filter((h) => latest.get(h.path)?.sha256 === h.sha256);
      const toQueue = hashed.filter((h) => latest.get(h.path)?.sha256 !== h.sha256);
      await addUnchanged(tx, runId, unchanged.map((h) => latest.get(h.path)!));
      result.unchanged = unchanged.length;

      for (let i = 0; i < toQueue.length; i += CHUNK) {
        const specs = toQueue.slice(i, i + CHUNK).map((h) => ({ key: jobKey(h.path, h.sha256), payload: { runId, path: h.path, sha256: h.sha256 } satisfies IngestPayload }));
        const jobs = rowsOf<{ ord: number; run_id: number; attempts: number; max_attempts: number; locked: boolean }>(
          await tx.execute(sql`
            select s.ord, (j.payload->>'runId')::int as run_id, j.attempts, j.max_attempts, j.locked_at is not null as locked
            from json_array_elements(${JSON.stringify(specs)}::json) with ordinality as s(spec, ord),
            lateral ${sql.identifier(WORKER_SCHEMA)}.add_job(${TASK}, s.spec->'payload', job_key => s.spec->>'key',
                                                  job_key_mode => 'unsafe_dedupe', max_attempts => ${MAX_ATTEMPTS}) j
            order by s.ord`),
        );
        for (const j of jobs) {
          const spec = specs[Number(j.ord) - 1]!;
          if (Number(j.run_id) === runId) {
            result.queued++;
          } else if (!j.locked && Number(j.attempts) >= Number(j.max_attempts)) {
            // Given up by graphile-worker: queue it again, in this run.
            await tx.execute(sql`select 1 from ${sql.identifier(WORKER_SCHEMA)}.add_job(${TASK}, ${JSON.stringify(spec.payload)}::json, job_key => ${spec.key}, job_key_mode => 'replace', max_attempts => ${MAX_ATTEMPTS})`);
            result.queued++;
          } else {
            result.alreadyQueued.push({ path: spec.payload.path, runId: Number(j.run_id) });
          }
        }
      }

      for (const r of rejected) await rejectInput(tx, runId, r);
      const settled = result.unchanged + result.rejected;
      const total = result.queued + settled;
      if (total === 0) throw new NothingToRecord();
      await setJobCounts(tx, runId, total, settled);
      if (result.queued === 0) {
        await retireAndFinish(tx, runId);
        result.finished = true;
      }
      result.runId = runId;
    });
  } catch (err) {
    if (!(err instanceof NothingToRecord)) throw err;
    result.runId = null;
  }
  return result;
}
