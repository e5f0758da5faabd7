import type { DbHandle } from '../db/client.ts';

/**
 * The message for a queue command run against the embedded database: graphile-worker needs a
 * PostgreSQL server that several processes connect to, which PGlite is not.
 */
export function queueNeedsServer(command: 'enqueue' | 'worker', where: string): string {
  return `the job queue needs a PostgreSQL server (set DATABASE_URL=postgres://… or --db postgres://…); ` +
    `${where} is the embedded database, which one process at a time can open. ` +
    `On one machine use "digest ingest PATH…" for a single run or "digest schedule --cron EXPR PATH…" for runs on a schedule` +
    (command === 'worker' ? '; workers serve the queue that "digest enqueue" fills on the server' : '');
}

/** The server URL a queue command runs against, when the configured database is a server. */
export function serverUrl(handle: Pick<DbHandle, 'kind'>, target: { url?: string }): string | null {
  return handle.kind === 'postgres' && target.url ? target.url : null;
}
