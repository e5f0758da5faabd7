import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { RunContext } from '../types.ts';
import type { WorkerSetup } from './parse-worker.ts';
import { type PrepareJob, type Prepared, prepareDocument } from './prepare.ts';

/** Prepares documents for the loader, in the main thread or in worker threads. */
export interface ParsePool {
  /** Worker threads in use (0: the calling thread does the work when a result is awaited). */
  readonly workers: number;
  prepare(job: PrepareJob): Promise<Prepared>;
  close(): Promise<void>;
}

/**
 * The default number of parse workers: one per core beyond the first (the main thread loads
 * while they parse), at least 1 on a multi-core machine, 0 on one core.
 */
export function defaultParseWorkers(): number {
  const cores = availableParallelism();
  return cores > 1 ? Math.min(4, cores - 1) : 0;
}

/** A pool without threads: each document is prepared in this thread when its result is awaited. */
export function inlinePool(ctx: RunContext, noFuzzy: ReadonlySet<string>): ParsePool {
  return {
    workers: 0,
    prepare: (job) => prepareDocument(job, ctx, noFuzzy),
    close: async () => {},
  };
}

type Reply = { id: number; result?: Prepared; error?: { message: string; stack: string | null } } | { ready: true };

/**
 * `n` worker threads (src/pipeline/parse-worker.js) sharing the jobs: each job goes to the worker
 * with the fewest jobs outstanding. A result is a pure function of the job and the context, so
 * which worker parsed a document changes nothing in the rows; the caller keeps the order.
 * A worker that dies fails its outstanding jobs (and the run) with the error as `cause`.
 */
export function workerPool(n: number, ctx: RunContext, noFuzzy: ReadonlySet<string>): ParsePool {
  const setup: WorkerSetup = { config: ctx.config, now: ctx.now.toISOString(), runId: ctx.runId, noFuzzy: [...noFuzzy] };
  const pending = new Map<number, { resolve: (p: Prepared) => void; reject: (e: Error) => void; worker: number }>();
  const load = new Array<number>(n).fill(0);
  const dead = new Array<Error | null>(n).fill(null);
  let nextId = 0;
  let closed = false;
  const workers = Array.from({ length: n }, (_, w) => {
    const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: setup });
    worker.on('message', (msg: Reply) => {
      if ('ready' in msg) return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      load[w]!--;
      if (msg.error) {
        const err = new Error(`parse worker: ${msg.error.message}`);
        if (msg.error.stack) err.stack = msg.error.stack;
        p.reject(err);
      } else p.resolve(msg.result!);
    });
    const failAll = (err: Error) => {
      dead[w] ??= err;
      for (const [id, p] of pending) {
        if (p.worker !== w) continue;
        pending.delete(id);
        p.reject(new Error(`parse worker ${w} stopped: ${err.message}`, { cause: err }));
      }
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (!closed) failAll(new Error(`exit code ${code}`));
    });
    return worker;
  });
  return {
    workers: n,
    prepare(job) {
      if (closed) return Promise.reject(new Error('the parse pool is closed'));
      let w = -1;
      for (let k = 0; k < n; k++) if (!dead[k] && (w < 0 || load[k]! < load[w]!)) w = k;
      if (w < 0) return Promise.reject(new Error(`every parse worker stopped: ${dead[0]?.message}`, { cause: dead[0] }));
      const id = nextId++;
      load[w]!++;
      return new Promise<Prepared>((resolve, reject) => {
        pending.set(id, { resolve, reject, worker: w });
        workers[w]!.postMessage({ id, job });
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((wk) => wk.terminate()));
      for (const [, p] of pending) p.reject(new Error('the parse pool was closed'));
      pending.clear();
    },
  };
}
