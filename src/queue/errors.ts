/**
 * Which failures of a document job are worth retrying. graphile-worker retries a job whose
 * task throws, with exponential backoff; content problems never get here (the pipeline
 * records them as rejections), so what is left is the database or the network failing under
 * us, which is transient, or a bug, which is not.
 */

/** SQLSTATE codes that a retry can succeed after. */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown (server restart)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (server starting up)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
  // Two workers inserting the same new item key at once (pages that share an item): the
  // loser's retry finds the item and matches it.
  '23505', // unique_violation
]);

/** Error codes of Node sockets and of postgres.js for a connection that went away. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

/**
 * True when `err` (or any error in its `cause` chain) is a lost connection, a serialization
 * failure, a deadlock, a unique-key race or a server that is restarting: a retry may succeed.
 */
export function isTransient(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | null | undefined, depth = 0; e && depth < 10; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === 'string' ? e.code : null;
    if (code && (TRANSIENT_CODES.has(code) || TRANSIENT_SQLSTATES.has(code) || code.startsWith('08'))) return true;
  }
  return false;
}

/**
 * Thrown when a job is no longer locked by this worker pool when its transaction starts: the
 * liveness sweep of another worker took it over (this process looked dead). Nothing was
 * written; the other worker does the document.
 */
export class LostJobLock extends Error {
  override name = 'LostJobLock';
  constructor(readonly jobId: string, readonly poolId: string) {
    super(`job ${jobId} is no longer locked by worker pool ${poolId}; another worker took it over`);
  }
}
