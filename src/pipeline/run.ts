import { newDedupeState } from '../dedupe/dedupe.ts';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TransactionRollbackError } from 'drizzle-orm/errors';
import type { Db, DbHandle } from '../db/client.ts';
import { addCounts, finishRun, isUnchanged, latestVersions, loadDocument, markManyUnchanged, markUnchanged, rejectDocument, retireAndFinish, zeroCounts } from '../load/load.ts';
import { startOwnedRun } from '../load/run-owner.ts';
import { splitKeys } from '../load/overrides.ts';
import { listInputs, readInput } from '../read/files.ts';
import type { Diagnostic, RejectedDocument, RunContext, RunCounts, RunResult } from '../types.ts';
import { explainLoadError, failureReason } from '../db/errors.ts';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../load/limits.ts';
import { parseAndDedupe } from './parse.ts';

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
  opts: { dryRun?: boolean } = {},
): Promise<RunResult> {
  if (!opts.dryRun) return ingestInto(handle, paths, ctx, onDocument);
  // A dry run does all the work inside one transaction and rolls it back: the counts are what
  // a real run would report, and nothing is written (sequences may still advance).
  let result: RunResult | null = null;
  try {
    await handle.db.transaction(async (tx) => {
      result = await ingestInto({ ...handle, db: tx as unknown as Db }, paths, ctx, onDocument);
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
  const runCtx: RunContext = { ...ctx, runId };
  const { parsed, entries } = parseAndDedupe(read.doc, runCtx, newDedupeState(noFuzzy));
  const fatal = parsed.diagnostics.find((d) => d.severity === 'error');
  if (fatal) return rejectInput(db, runId, { path, sha256: read.doc.sha256, bytes: read.doc.bytes, reason: fatal });
  const result = await loadDocument(db, runId, read.doc, entries, parsed.diagnostics, { nearThreshold: ctx.config.nearDuplicateThreshold, noFuzzy, parseMs: Date.now() - t0, ...(ctx.config.lockTimeoutSeconds ? { lockTimeoutSeconds: ctx.config.lockTimeoutSeconds } : {}) });
  if (result.alreadyLoaded) return { path, status: 'unchanged', counts: result.counts, diagnostics: [], rejections: [] };
  const diagnostics = [...parsed.diagnostics, ...entries.flatMap((e) => e.diagnostics)];
  const rejections: RunResult['rejections'] = [];
  for (const e of entries) {
    const err = e.diagnostics.find((d) => d.severity === 'error');
    if (err) rejections.push({ file: e.file, n: e.n, line: err.line, code: err.code, message: err.message });
  }
  return { path, status: 'loaded', counts: result.counts, diagnostics, rejections };
}

async function ingestInto(handle: DbHandle, paths: string[], ctx: RunContext, onDocument: OnDocument): Promise<RunResult> {
  const { db } = handle;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const owned = await startOwnedRun(handle, ctx.config.name, paths);
  const { runId } = owned;
  let counts = zeroCounts();
  const issues: Record<string, number> = {};
  const rejections: RunResult['rejections'] = [];
  const noFuzzy = await splitKeys(db);
  let current: string | null = null;
  try {
    const inputs = await listInputs(paths);
    // Unchanged files are recognised by content hash against one prefetch of the latest
    // versions, and recorded in batches: an unchanged corpus costs a read and a hash per file.
    const latest = await latestVersions(db, inputs.flatMap((i) => ('path' in i ? [i.path] : [])));
    let pending: Array<{ id: number; entryCount: number; path: string }> = [];
    const flush = async () => {
      if (!pending.length) return;
      counts = addCounts(counts, await markManyUnchanged(db, runId, pending));
      for (const p of pending) onDocument({ runId, path: p.path, status: 'unchanged', counts });
      pending = [];
    };
    for (const item of inputs) {
      current = 'rejected' in item ? item.rejected.path : item.path;
      const known = 'path' in item ? latest.get(item.path) : undefined;
      if (known && 'path' in item) {
        const bytes = await readFile(item.path).catch(() => null);
        if (bytes && createHash('sha256').update(bytes).digest('hex') === known.sha256) {
          pending.push({ id: known.id, entryCount: known.entryCount, path: item.path });
          if (pending.length >= 500) await flush();
          continue;
        }
      }
      await flush();
      const out = 'rejected' in item ? await rejectInput(db, runId, item.rejected) : await ingestDocument(db, runId, item.path, ctx, noFuzzy);
      counts = addCounts(counts, out.counts);
      for (const d of out.diagnostics) issues[d.code] = (issues[d.code] ?? 0) + 1;
      rejections.push(...out.rejections);
      onDocument({ runId, path: out.path, status: out.status, counts, ...(out.reason ? { reason: out.reason } : {}) });
    }
    await flush();
    current = null;
    await retireAndFinish(db, runId);
    const finished = Date.now();
    return { runId, status: 'finished', startedAt, finishedAt: new Date(finished).toISOString(), durationMs: finished - started, counts, issues, rejections, error: null };
  } catch (err) {
    const wrapped = new PipelineStepFailed('load', runId, current, await explainLoadError(db, err, ctx.config.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS));
    await finishRun(db, runId, 'failed', wrapped.message).catch(() => {});
    throw wrapped;
  } finally {
    await owned.release().catch(() => {});
  }
}
