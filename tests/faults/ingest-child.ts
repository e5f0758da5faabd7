/**
 * The crash harness's child process: `node --import tsx tests/faults/ingest-child.ts CONFIG`.
 * Runs `digest ingest`'s pipeline (runIngest on a database opened with createDb, exactly as the
 * CLI does) and kills itself with SIGKILL at a precise point, which a parent's signal cannot hit:
 *
 *   {"kind":"tx","nth":2,"at":3}        in the 2nd loading transaction, when its 3rd statement is
 *                                       issued (statements 1-2 have run; the transaction is open)
 *   {"kind":"tx","nth":1,"at":"commit"} in the 1st loading transaction, after its last statement,
 *                                       before COMMIT (also the fallback when it has fewer statements)
 *   {"kind":"doc","nth":3}              after the 3rd document was loaded and committed, before the
 *                                       next one starts (between documents)
 *   {"kind":"retire","at":2|"commit"}   in the run's final transaction (retire + finish)
 *
 * A loading transaction is one whose first statement sets its lock_timeout or takes the
 * per-path advisory lock. CONFIG is JSON: { db: { url } | { dir }, paths, kill? }. Prints one
 * JSON line per event on stdout: ready, tx (begin), document, kill (just before the signal),
 * done, error.
 */
import { PgDialect } from 'drizzle-orm/pg-core';
import { createDb, type Db } from '../../src/db/client.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { listInputs } from '../../src/read/files.ts';

type At = number | 'commit';
export type SelfKill = { kind: 'tx'; nth: number; at: At } | { kind: 'doc'; nth: number } | { kind: 'retire'; at: At };
export interface ChildConfig {
  db: { url: string } | { dir: string };
  paths: string[];
  kill?: SelfKill | null;
}

const config = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const emit = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`);
const dialect = new PgDialect();

let runId: number | null = null;

function die(where: Record<string, unknown>): never {
  emit({ event: 'kill', runId, ...where });
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL cannot be caught; this line is never reached.
  throw new Error('unreachable');
}

const STATEMENTS = new Set(['execute', 'insert', 'update', 'delete', 'select', 'selectDistinct', 'selectDistinctOn']);

function sqlText(arg: unknown): string {
  try {
    if (typeof arg === 'string') return arg;
    return dialect.sqlToQuery(arg as Parameters<PgDialect['sqlToQuery']>[0]).sql;
  } catch {
    return '';
  }
}

let loadTx = 0;
let loadedDocs = 0;
let docEvents = 0;
let totalInputs = Infinity;
let txCount = 0;

/** Wraps a transaction so its statements are counted and the planned kill can fire. */
function watchTx(tx: Db, info: { n: number; kind: string | null; statements: number; armed: SelfKill | null }): Db {
  return new Proxy(tx, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof prop !== 'string' || !STATEMENTS.has(prop) || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return (...args: unknown[]) => {
        info.statements++;
        if (info.statements === 1) {
          const text = prop === 'execute' ? sqlText(args[0]) : '';
          if (docEvents >= totalInputs) info.kind = 'retire';
          else if (text.includes('pg_advisory_xact_lock') || text.includes('lock_timeout')) info.kind = 'load';
          else info.kind = 'other';
          if (info.kind === 'load') loadTx++;
          emit({ event: 'tx', n: info.n, kind: info.kind, load: info.kind === 'load' ? loadTx : null });
          const k = config.kill;
          if (k && ((k.kind === 'tx' && info.kind === 'load' && loadTx === k.nth) || (k.kind === 'retire' && info.kind === 'retire'))) info.armed = k;
        }
        const a = info.armed;
        if (a && a.kind !== 'doc' && a.at !== 'commit' && info.statements === a.at) die({ tx: info.n, kind: info.kind, statement: info.statements, before: prop });
        return v.apply(target, args);
      };
    },
  });
}

function watchDb(db: Db): Db {
  return new Proxy(db, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (prop !== 'transaction' || typeof v !== 'function') return typeof v === 'function' ? v.bind(target) : v;
      return (fn: (tx: Db) => Promise<unknown>, cfg?: unknown) =>
        v.call(target, async (tx: Db) => {
          const info = { n: ++txCount, kind: null as string | null, statements: 0, armed: null as SelfKill | null };
          const out = await fn(watchTx(tx, info));
          if (info.armed) die({ tx: info.n, kind: info.kind, statement: 'commit', statements: info.statements });
          return out;
        }, cfg);
    },
  });
}

async function main(): Promise<void> {
  totalInputs = (await listInputs(config.paths)).length;
  const handle = await createDb('url' in config.db ? { url: config.db.url } : { dir: config.db.dir });
  emit({ event: 'ready', pid: process.pid, inputs: totalInputs });
  try {
    const result = await runIngest({ ...handle, db: watchDb(handle.db) }, config.paths, createContext({ now: new Date() }), (p) => {
      docEvents++;
      runId = p.runId;
      emit({ event: 'document', runId: p.runId, path: p.path, status: p.status });
      if (p.status === 'loaded') {
        loadedDocs++;
        const k = config.kill;
        if (k?.kind === 'doc' && k.nth === loadedDocs) die({ afterDocument: p.path, loaded: loadedDocs });
      }
    });
    emit({ event: 'done', runId: result.runId, status: result.status, counts: result.counts });
  } finally {
    await handle.close();
  }
}

main().catch((err: unknown) => {
  emit({ event: 'error', message: (err as Error)?.message ?? String(err) });
  process.exitCode = 1;
});
