import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * The queue's vocabulary: one graphile-worker task, `digest_ingest`, whose job is one input
 * document of one run. Shared by `digest enqueue` (adds jobs), `digest worker` (runs them),
 * the liveness sweep and the tests.
 */

/** The graphile-worker task identifier of a document job. */
export const TASK = 'digest_ingest';

/** The PostgreSQL schema graphile-worker keeps its queue in (its default). */
export const WORKER_SCHEMA = 'graphile_worker';

/**
 * Attempts before graphile-worker gives a job up. Its backoff waits exp(min(attempt, 10))
 * seconds between attempts, so 10 attempts span about 9.5 hours: long enough to ride out a
 * database restart or a network outage, short enough that a bug does not retry for days.
 */
export const MAX_ATTEMPTS = 10;

/** What a document job carries. */
export interface IngestPayload {
  /** The run (created by `digest enqueue`) the document is counted in. */
  runId: number;
  /** The input path as given to `digest enqueue` (the `documents.path` it is loaded under). */
  path: string;
  /** sha256 of the file's bytes when it was enqueued (the worker loads the file as it is then). */
  sha256: string;
}

/** Reads a job payload; throws on anything that is not an IngestPayload (a job not ours). */
export function parsePayload(raw: unknown): IngestPayload {
  const p = raw as Partial<IngestPayload> | null;
  if (!p || typeof p !== 'object' || !Number.isInteger(p.runId) || typeof p.path !== 'string' || typeof p.sha256 !== 'string') {
    throw new TypeError(`not a ${TASK} payload: ${JSON.stringify(raw)?.slice(0, 200)}`);
  }
  return { runId: p.runId!, path: p.path, sha256: p.sha256 };
}

/**
 * The job key of a document: its path and the sha256 of its bytes. graphile-worker keeps one
 * job per key, so enqueueing the same content again while its job waits or runs adds nothing;
 * changed content is a new key, so it is queued again.
 */
export function jobKey(path: string, sha256: string): string {
  return `${TASK}:${sha256}:${path}`;
}

/** sha256 (hex) of a file's bytes, streamed (files may be larger than a string can hold). */
export function hashFile(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}
