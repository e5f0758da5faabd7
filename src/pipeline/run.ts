import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { TransactionRollbackError } from 'drizzle-orm/errors';
import type { Db, DbHandle } from '../db/client.ts';
import { addCounts, finishRun, isUnchanged, latestVersions, loadDocument, type LoadTimings, markManyUnchanged, markUnchanged, refreshStatistics, rejectDocument, retireAndFinish, vacuumBuckets, zeroCounts } from '../load/load.ts';
import { startOwnedRun } from '../load/run-owner.ts';
import { splitKeys } from '../load/overrides.ts';
import { listInputs, readInput } from '../read/files.ts';
import type { Diagnostic, RejectedDocument, RunContext, RunCounts, RunResult } from '../types.ts';
import { explainLoadError, failureReason } from '../db/errors.ts';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../load/limits.ts';
import { inlinePool, type ParsePool, workerPool } from './pool.ts';
import { parseRead, type Prepared } from './prepare.ts';

/** Wraps an unexpected failure with the stage, the run and the original error as `cause`. */
export class PipelineStepFailed extends Error {
  constructor(
    readonly stage: string,
    readonly runId: number | null,
    readonly path: string | null,
    cause: unknown,
  ) {
    super(`${stage} failed${runId != null ? ` in run ${runId}` : ''}${path ? ` on ${path}` : ''}: ${failureReason(cause)}`, { cause });
    this.name = 'PipelineStepFailed';
  }

  /**
   * The failed run as a RunResult (status `failed`, the counts, issues and rejections of the
   * documents committed before the failure), when a run row exists: `digest schedule` reports
   * it as its tick's line instead of throwing.
   */
  result: RunResult | null = null;
}

/** Fewer documents to parse than this are parsed in this thread whatever `workers` says. */
const MIN_DOCUMENTS_FOR_WORKERS = 4;
/** Documents read and parsed ahead of the loader, per worker (bounds memory with `AHEAD_BYTES`). */
const AHEAD_PER_WORKER = 16;
/** Input bytes read and parsed ahead of the loader (a larger document still goes alone). */
const AHEAD_BYTES = 32 * 1024 * 1024;
/**
 * The loader refreshes the planner's statistics after this many entries loaded in a run, then
 * after 4x as many, and so on (a few ANALYZEs per run whatever its size; see refreshStatistics).
 */
const FIRST_STATISTICS_AT = 5000;
/**
 * The loader vacuums the near-duplicate index after every this many entries loaded in a run
 * (not in a dry run), so its probes stay index-only however fast the table grows (see
 * vacuumBuckets); each vacuum reads only the pages added since the one before.
 */
const BUCKET_VACUUM_EVERY = 20_000;

/** Options of `runIngest`. */
export interface IngestOptions {
  /** Do everything in one transaction and roll it back (default false). */
  dryRun?: boolean;
  /**
   * Parse worker threads (default 0: every stage in this thread). With N > 0 (and at least 4
   * documents to parse), N threads read and parse documents ahead of
   * the loader (at most 16N documents and 32 MiB of input at a time) while this thread loads
   * them in input order: the rows and ids are the same as with 0.
   */
  workers?: number;
  /** When given, each load step's milliseconds are summed into it (see LoadOptions.timings). */
  loadTimings?: LoadTimings;
  /**
   * Asked before each document is loaded or rejected and before each batch of unchanged ones is
   * recorded, never while a transaction is open: a reason (not null) ends the run there as
   * `abandoned` with that reason. The documents already committed stay; the retiring step does
   * not run, since a partial run has not seen every page and would retire items of the pages
   * it never reached. `digest schedule` stops this way on SIGTERM or a lost input-set lock.
   * Default: never stop.
   */
  shouldStop?: () => Promise<string | null>;
  /** Entries loaded between two vacuums of the near-duplicate index (default 20,000; see vacuumBuckets). */
  bucketVacuumEvery?: number;
}

/** Called after each document (progress reporting). */
export type OnDocument = (info: { runId: number; path: string; status: 'loaded' | 'unchanged' | 'rejected'; counts: RunCounts; reason?: Diagnostic }) => void;

/**
 * `digest ingest`: reads every input, parses new and changed documents, and loads each in its
 * own transaction. Unreadable files are recorded as rejected documents and the run goes on;
 * an unchanged file (same path and content hash as a loaded version) is skipped unparsed.
 * Returns the run's RunResult (the same values the `runs` row holds).
 */
export async function runIngest(
  handle: DbHandle,
  paths: string[],
  ctx: RunContext,
  onDocument: OnDocument = () => {},
  opts: IngestOptions = {},
): Promise<RunResult> {
  if (!opts.dryRun) return ingestInto(handle, paths, ctx, onDocument, opts);
  // A dry run does all the work inside one transaction and rolls it back: the counts are what
  // a real run would report, and nothing is written (sequences may still advance).
  let result: RunResult | null = null;
  try {
    await handle.db.transaction(async (tx) => {
      result = await ingestInto({ ...handle, db: tx as unknown as Db }, paths, ctx, onDocument, opts);
      tx.rollback();
    });
  } catch (err) {
    if (!(err instanceof TransactionRollbackError)) throw err;
  }
  return result!;
}

/** What one input did in a run: the unit the run sums up (and the unit of a queue job). */
export interface DocumentOutcome {
  path: string;
  status: 'loaded' | 'unchanged' | 'rejected';
  counts: RunCounts;
  /** Every diagnostic recorded for the document and its entries (for the run's issue tally). */
  diagnostics: Diagnostic[];
  rejections: RunResult['rejections'];
  reason?: Diagnostic;
}

/** Records an input that could not be read (missing path, unreadable, binary…). */
export async function rejectInput(db: Db, runId: number, rejected: RejectedDocument): Promise<DocumentOutcome> {
  const counts = await rejectDocument(db, runId, rejected);
  const r = rejected.reason;
  return { path: rejected.path, status: 'rejected', counts, diagnostics: [r], rejections: [{ file: rejected.path, n: null, line: r.line, code: r.code, message: r.message }], reason: r };
}

/**
 * Reads, parses and loads one input file as part of run `runId`: skipped unparsed when it is
 * the latest loaded version of its path, rejected with a reason when it cannot be read, else
 * loaded in one transaction. Never throws for bad content; database failures propagate.
 */
export async function ingestDocument(db: Db, runId: number, path: string, ctx: RunContext, noFuzzy: ReadonlySet<string>): Promise<DocumentOutcome> {
  const t0 = Date.now();
  const read = await readInput(path, ctx.config.maxFileBytes);
  if (!read.ok) return rejectInput(db, runId, read.rejected);
  const loaded = await isUnchanged(db, read.doc.path, read.doc.sha256);
  if (loaded) {
    return { path, status: 'unchanged', counts: await markUnchanged(db, runId, loaded.id, loaded.entryCount), diagnostics: [], rejections: [] };
  }
  // Dedupe within the document in memory; across documents and runs, the loader matches
  // against the database (so memory does not grow with the run).
  const prepared = parseRead(read.doc, { ...ctx, runId }, noFuzzy, t0);
  return loadPrepared(db, runId, prepared as Extract<Prepared, { kind: 'parsed' }>, ctx, noFuzzy);
}

/** Loads a parsed document (rejected as a whole when a document-level error was found). */
async function loadPrepared(db: Db, runId: number, prepared: Extract<Prepared, { kind: 'parsed' }>, ctx: RunContext, noFuzzy: ReadonlySet<string>, timings?: LoadTimings): Promise<DocumentOutcome> {
  const { path, doc, entries, diagnostics: docDiagnostics, parseMs } = prepared;
  const fatal = docDiagnostics.find((d) => d.severity === 'error');
  if (fatal) return rejectInput(db, runId, { path, sha256: doc.sha256, bytes: doc.bytes, reason: fatal });
  const result = await loadDocument(db, runId, doc, entries, docDiagnostics, { nearThreshold: ctx.config.nearDuplicateThreshold, noFuzzy, parseMs, ...(ctx.config.lockTimeoutSeconds ? { lockTimeoutSeconds: ctx.config.lockTimeoutSeconds } : {}), ...(timings ? { timings } : {}) });
  if (result.alreadyLoaded) return { path, status: 'unchanged', counts: result.counts, diagnostics: [], rejections: [] };
  const diagnostics = [...docDiagnostics, ...entries.flatMap((e) => e.diagnostics)];
  const rejections: RunResult['rejections'] = [];
  for (const e of entries) {
    const err = e.diagnostics.find((d) => d.severity === 'error');
    if (err) rejections.push({ file: e.file, n: e.n, line: err.line, code: err.code, message: err.message });
  }
  return { path, status: 'loaded', counts: result.counts, diagnostics, rejections };
}

/**
 * Loads a prepared document that was not recognised as unchanged before parsing: rejected
 * when unreadable, else loaded in one transaction (which itself answers `unchanged` when this
 * version is already its path's latest: a path given twice, or another loader first).
 */
async function finishPrepared(db: Db, runId: number, prepared: Prepared, ctx: RunContext, noFuzzy: ReadonlySet<string>, timings?: LoadTimings): Promise<DocumentOutcome> {
  if (prepared.kind === 'unreadable') return rejectInput(db, runId, prepared.rejected);
  return loadPrepared(db, runId, prepared, ctx, noFuzzy, timings);
}

async function ingestInto(handle: DbHandle, paths: string[], ctx: RunContext, onDocument: OnDocument, opts: IngestOptions): Promise<RunResult> {
  const { db } = handle;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const owned = await startOwnedRun(handle, ctx.config.name, paths, { dryRun: Boolean(opts.dryRun) });
  const { runId } = owned;
  let counts = zeroCounts();
  const issues: Record<string, number> = {};
  const rejections: RunResult['rejections'] = [];
  const noFuzzy = await splitKeys(db);
  const runCtx: RunContext = { ...ctx, runId };
  let current: string | null = null;
  let pool: ParsePool | null = null;
  const result = (status: RunResult['status'], error: string | null): RunResult => {
    const finished = Date.now();
    return { runId, status, startedAt, finishedAt: new Date(finished).toISOString(), durationMs: finished - started, counts, issues, rejections, error };
  };
  // The reason a stop was requested (see IngestOptions.shouldStop), once one was.
  let stopped: string | null = null;
  const stopRequested = async (): Promise<boolean> => {
    stopped = (await opts.shouldStop?.()) ?? null;
    return stopped != null;
  };
  try {
    const inputs = await listInputs(paths);
    // Unchanged files are recognised by content hash against one prefetch of the latest
    // versions, and recorded in batches: an unchanged corpus costs a read and a hash per file.
    const latest = await latestVersions(db, inputs.flatMap((i) => ('path' in i ? [i.path] : [])));
    // The hash check first, in this thread (a read and a hash per known file): parse workers
    // start only when enough documents need parsing to pay for their start-up (~1-2 s).
    const unchanged = new Set<number>();
    const sizes: number[] = [];
    for (let k = 0; k < inputs.length; k++) {
      const item = inputs[k]!;
      if (!('path' in item)) continue;
      const known = latest.get(item.path);
      if (known) {
        const bytes = await readFile(item.path).catch(() => null);
        if (bytes && createHash('sha256').update(bytes).digest('hex') === known.sha256) {
          unchanged.add(k);
          continue;
        }
      }
      sizes[k] = (await stat(item.path).catch(() => null))?.size ?? 0;
    }
    const toParse = inputs.filter((i, k) => 'path' in i && !unchanged.has(k)).length;
    const workers = toParse >= MIN_DOCUMENTS_FOR_WORKERS ? Math.min(opts.workers ?? 0, toParse) : 0;
    pool = workers > 0 ? workerPool(workers, runCtx, noFuzzy) : inlinePool(runCtx, noFuzzy);
    // Documents are read and parsed ahead of the one being loaded, within a bounded window (at
    // most AHEAD_PER_WORKER documents per worker and AHEAD_BYTES of input, always at least
    // one), so memory does not grow with the number of files; results are taken in input order.
    const queued: Array<Promise<Prepared> | null> = [];
    let inFlightBytes = 0;
    let inFlightDocs = 0;
    let loadedEntries = 0;
    let statisticsAt = FIRST_STATISTICS_AT;
    const vacuumEvery = opts.bucketVacuumEvery ?? BUCKET_VACUUM_EVERY;
    let vacuumAt = vacuumEvery;
    const fill = (k: number) => {
      while (queued.length < inputs.length) {
        const j = queued.length;
        const item = inputs[j]!;
        if (!('path' in item) || unchanged.has(j)) {
          queued.push(null);
          continue;
        }
        const size = sizes[j] ?? 0;
        const room = pool!.workers === 0
          ? j <= k
          : j <= k || (inFlightDocs < AHEAD_PER_WORKER * pool!.workers && inFlightBytes + size <= AHEAD_BYTES);
        if (!room) break;
        inFlightBytes += size;
        inFlightDocs++;
        const p = pool!.prepare({ path: item.path });
        p.catch(() => {}); // awaited in order below; a failure surfaces there
        queued.push(p);
      }
    };
    let pending: Array<{ id: number; entryCount: number; path: string }> = [];
    const flush = async () => {
      if (!pending.length) return;
      counts = addCounts(counts, await markManyUnchanged(db, runId, pending));
      for (const p of pending) onDocument({ runId, path: p.path, status: 'unchanged', counts });
      pending = [];
    };
    for (let k = 0; k < inputs.length; k++) {
      fill(k);
      const item = inputs[k]!;
      current = 'rejected' in item ? item.rejected.path : item.path;
      if (unchanged.has(k) && 'path' in item) {
        const known = latest.get(item.path)!;
        pending.push({ id: known.id, entryCount: known.entryCount, path: item.path });
        if (pending.length >= 500) {
          if (await stopRequested()) break;
          await flush();
        }
        continue;
      }
      // One question per document (it also covers the unchanged batch recorded just before it),
      // asked before waiting for its parse, so a stop does not wait for a large document.
      if (await stopRequested()) break;
      const prepared = queued[k] ? await queued[k] : null;
      if (queued[k]) {
        queued[k] = null;
        inFlightBytes -= sizes[k] ?? 0;
        inFlightDocs--;
        fill(k);
      }
      await flush();
      const out = 'rejected' in item ? await rejectInput(db, runId, item.rejected) : await finishPrepared(db, runId, prepared!, ctx, noFuzzy, opts.loadTimings);
      counts = addCounts(counts, out.counts);
      if (out.status === 'loaded') loadedEntries += out.counts.entriesRead;
      if (loadedEntries >= statisticsAt) {
        await refreshStatistics(db);
        statisticsAt = loadedEntries * 4;
      }
      if (loadedEntries >= vacuumAt && !opts.dryRun) {
        await vacuumBuckets(db);
        vacuumAt = loadedEntries + vacuumEvery;
      }
      for (const d of out.diagnostics) issues[d.code] = (issues[d.code] ?? 0) + 1;
      rejections.push(...out.rejections);
      onDocument({ runId, path: out.path, status: out.status, counts, ...(out.reason ? { reason: out.reason } : {}) });
    }
    if (stopped == null && pending.length) await stopRequested();
    current = null;
    if (stopped != null) {
      // The unchanged files still pending are not recorded: the next run checks them again.
      await finishRun(db, runId, 'abandoned', stopped);
      return result('abandoned', stopped);
    }
    await flush();
    await retireAndFinish(db, runId);
    return result('finished', null);
  } catch (err) {
    const wrapped = new PipelineStepFailed('load', runId, current, await explainLoadError(db, err, ctx.config.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS));
    await finishRun(db, runId, 'failed', wrapped.message).catch(() => {});
    wrapped.result = result('failed', wrapped.message);
    throw wrapped;
  } finally {
    await pool?.close();
    await owned.release().catch(() => {});
  }
}
