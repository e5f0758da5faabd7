import { ConfigError } from '../config/error.ts';
import { redactSecrets } from '../db/client.ts';
import { DatabaseLockedError } from '../db/lock.ts';
import { MigrationsNewerError } from '../db/migrations.ts';
import { EXIT, UsageError, UserError } from './common.ts';

/** Error codes of a database server that cannot be used (network, authentication, missing database). */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '28P01', // password authentication failed
  '28000', // invalid authorization
  '3D000', // database does not exist
  '57P01', // admin shutdown
  '57P03', // cannot connect now (starting up)
]);

/** The first error code along an error's `cause` chain. */
function codeOf(err: unknown): { code: string; message: string } | null {
  for (let e = err as (Error & { code?: unknown; cause?: unknown }) | undefined, i = 0; e && i < 6; e = e.cause as typeof e, i++) {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return { code: e.code, message: e.message };
  }
  return null;
}

/**
 * postgres.js 3.4.x can throw from a timer after the server closed a connection that still had
 * a write queued (`TypeError: Cannot read properties of null (reading 'write')` in
 * connection.js; porsager/postgres#1154, #1208): no caller can catch it. Such an error is a
 * lost connection, and is reported as one.
 */
export function driverLostConnection(err: unknown): Error | null {
  const e = err as Error;
  if (!(e instanceof TypeError) || !/[\\/]postgres[\\/]src[\\/]connection\.js/.test(e.stack ?? '')) return null;
  return Object.assign(new Error(`the server closed the connection while a statement was being sent (${e.message})`, { cause: e }), { code: 'CONNECTION_CLOSED' });
}

/**
 * What the CLI prints for an exception nothing could catch (thrown from a driver's timer): the
 * same one sentence as a failure, exit code 1. The open transaction is rolled back by the
 * server; a run left `running` is closed by the next run.
 */
export function describeUncaught(err: unknown, command: string, env: Record<string, string | undefined>, debug: boolean): { text: string; code: number } {
  return describeFailure(driverLostConnection(err) ?? err, command, env, debug);
}

const sentence = (s: string) => s.trim().replace(/[.;:]+$/, '');

/**
 * What the CLI prints for a failure and the exit code: one sentence that says what to do
 * (usage and configuration errors exit 2, everything else 1). `debug` adds the stack.
 * Secrets of DATABASE_URL never appear.
 */
export function describeFailure(err: unknown, command: string, env: Record<string, string | undefined>, debug: boolean): { text: string; code: number } {
  const url = env.DATABASE_URL;
  const clean = (s: string) => redactSecrets(s, url);
  const stack = debug ? `${clean(String((err as Error)?.stack ?? err))}\n` : '';
  if (err instanceof UsageError) {
    return { text: clean(`digest ${command}: ${sentence(err.message)} (run "digest ${command} --help" for its options).\n`) + stack, code: EXIT.usage };
  }
  if (err instanceof ConfigError) {
    return { text: clean(err.problems.map((p) => `digest ${command}: ${p}\n`).join('')) + stack, code: EXIT.usage };
  }
  if (err instanceof UserError || err instanceof DatabaseLockedError || err instanceof MigrationsNewerError) {
    return { text: clean(`digest ${command}: ${err.message}\n`) + stack, code: EXIT.failed };
  }
  const conn = codeOf(err);
  if (conn) {
    const where = url ? 'Check DATABASE_URL' : 'Check the --db URL';
    return { text: clean(`digest ${command}: cannot use the database server (${conn.code}: ${conn.message}). ${where} and that the server is running.\n`) + stack, code: EXIT.failed };
  }
  const e = err as Error;
  const msg = sentence(e?.message ?? String(err));
  return { text: clean(`digest ${command}: ${msg}${debug ? '.' : ' (run again with --debug for the stack trace).'}\n`) + stack, code: EXIT.failed };
}
