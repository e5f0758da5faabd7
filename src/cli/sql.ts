import { TransactionRollbackError } from 'drizzle-orm/errors';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, table, UsageError, UserError } from './common.ts';

/** The query without strings, quoted names, dollar-quoted bodies and comments (to count statements). */
function codeOnly(q: string): string {
  return q
    .replace(/\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$/g, ' ')
    .replace(/'(?:[^']|'')*'/g, ' ')
    .replace(/"(?:[^"]|"")*"/g, ' ')
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ');
}

/** A cell as text or JSON-safe value: dates as ISO strings, bigints as strings. */
function plain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** Columns and rows of a raw result, whichever driver produced it. */
function shape(result: unknown): { columns: string[]; rows: Record<string, unknown>[] } {
  const rows = (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as Record<string, unknown>[];
  const fields = (result as { fields?: Array<{ name: string }>; columns?: Array<{ name: string }> }).fields ?? (result as { columns?: Array<{ name: string }> }).columns;
  const columns = fields?.length ? fields.map((f) => f.name) : rows[0] ? Object.keys(rows[0]) : [];
  return { columns, rows };
}

/**
 * Runs one statement in a READ ONLY transaction that is always rolled back: nothing can be
 * written, whichever database it is.
 */
export async function readOnlyQuery(db: Db, query: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  let out: { columns: string[]; rows: Record<string, unknown>[] } = { columns: [], rows: [] };
  try {
    await db.transaction(async (tx) => {
      await tx.execute(sql`set transaction read only`);
      out = shape(await tx.execute(sql.raw(query)));
      tx.rollback();
    });
  } catch (err) {
    if (!(err instanceof TransactionRollbackError)) throw err;
  }
  return out;
}

/**
 * `digest sql "select …" [--json]`: one read-only statement against the configured database,
 * printed as a table (or a JSON array). A write is refused by the database (exit 1); more than
 * one statement is a usage error.
 */
export async function sqlCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('digest sql needs one query in quotes, e.g. digest sql "select id, status from runs"');
  const query = positionals[0]!.trim().replace(/;\s*$/, '');
  if (!query) throw new UsageError('the query is empty');
  if (codeOnly(query).includes(';')) throw new UsageError('only one statement at a time: drop the ";" and run the statements one by one');
  const handle = await openDb(values, io);
  try {
    let result;
    try {
      result = await readOnlyQuery(handle.db, query);
    } catch (err) {
      const e = err as Error & { code?: string; cause?: Error & { code?: string } };
      const pg = e.cause ?? e;
      const code = (pg as { code?: string }).code;
      if (code === '25006') throw new UserError(`the query was refused: ${pg.message}; digest sql only reads (use digest ingest, replay, merge or split to change data).`);
      if (code && /^[0-9A-Z]{5}$/.test(code)) throw new UserError(`the query failed: ${pg.message} (SQLSTATE ${code}).`);
      throw err;
    }
    const rows = result.rows.map((r) => Object.fromEntries(result.columns.map((c) => [c, plain(r[c])])));
    if (values.json) io.out(`${JSON.stringify(rows)}\n`);
    else {
      io.out(table(result.columns, rows.map((r) => result.columns.map((c) => r[c])), 80));
      io.out(`(${rows.length} row${rows.length === 1 ? '' : 's'})\n`);
    }
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
