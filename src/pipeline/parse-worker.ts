/**
 * A parse worker thread: receives PrepareJobs, answers with Prepared documents (pool.ts).
 * Its context (configuration, reference time, split keys) comes once in `workerData`; it never
 * touches the database. The logger is silent: stages report through diagnostics.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { PipelineConfig } from '../types.ts';
import { createContext } from './context.ts';
import { type PrepareJob, prepareDocument } from './prepare.ts';

/** What the pool sends a worker when it starts. */
export interface WorkerSetup {
  config: PipelineConfig;
  now: string;
  runId: number | null;
  noFuzzy: string[];
}

const setup = workerData as WorkerSetup;
const ctx = createContext({ now: new Date(setup.now), runId: setup.runId, config: setup.config });
const noFuzzy = new Set(setup.noFuzzy);

// One job at a time, in the order received: a document's parse time is its own (not the wait
// for the others queued here), and at most one document is being read at once.
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (msg: { id: number; job: PrepareJob }) => {
  queue = queue.then(() =>
    prepareDocument(msg.job, ctx, noFuzzy).then(
      (result) => parentPort!.postMessage({ id: msg.id, result }),
      (err: Error) => parentPort!.postMessage({ id: msg.id, error: { message: err?.message ?? String(err), stack: err?.stack ?? null } }),
    ),
  );
});
parentPort!.postMessage({ ready: true });
