import { newDedupeState } from '../dedupe/dedupe.ts';
import { TransactionRollbackError } from 'drizzle-orm/errors';
import type { Db, DbHandle } from '../db/client.ts';
import { abandonStaleRuns, addCounts, finishRun, isUnchanged, loadDocument, markUnchanged, rejectDocument, retireAndFinish, startRun, zeroCounts } from '../load/load.ts';
import { splitKeys } from '../load/overrides.ts';
import { listInputs, readInput } from '../read/files.ts';
import type { Diagnostic, RunContext, RunCounts, RunResult } from '../types.ts';
import { parseAndDedupe } from './parse.ts';

/** Wraps an unexpected failure with the stage, the run and the original error as `cause`. */
export class PipelineStepFailed extends Error {
  constructor(
    readonly stage: string,
    readonly runId: number | null,
    readonly path: string | null,
    cause: unknown,
  ) {
    super(`${stage} failed${runId != null ? ` in run ${runId}` : ''}${path ? ` on ${path}` : ''}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'PipelineStepFailed';
  }
}

/** Called after each document (progress reporting). */
export type OnDocument = (info: { path: string; status: 'loaded' | 'unchanged' | 'rejected'; counts: RunCounts; reason?: Diagnostic }) => void;

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

async function ingestInto(handle: DbHandle, paths: string[], ctx: RunContext, onDocument: OnDocument): Promise<RunResult> {
  const { db } = handle;
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const runId = await startRun(db, ctx.config.name, paths);
  const runCtx: RunContext = { ...ctx, runId };
  if (handle.kind === 'pglite') await abandonStaleRuns(db, runId);
  let counts = zeroCounts();
  const issues: Record<string, number> = {};
  const rejections: RunResult['rejections'] = [];
  const noFuzzy = await splitKeys(db);
  const tally = (ds: readonly Diagnostic[]) => {
    for (const d of ds) issues[d.code] = (issues[d.code] ?? 0) + 1;
  };
  let current: string | null = null;
  try {
    for (const item of await listInputs(paths)) {
      if ('rejected' in item) {
        current = item.rejected.path;
        counts = addCounts(counts, await rejectDocument(db, runId, item.rejected));
        tally([item.rejected.reason]);
        rejections.push({ file: item.rejected.path, n: null, line: item.rejected.reason.line, code: item.rejected.reason.code, message: item.rejected.reason.message });
        onDocument({ path: item.rejected.path, status: 'rejected', counts, reason: item.rejected.reason });
        continue;
      }
      current = item.path;
      const t0 = Date.now();
      const read = await readInput(item.path);
      if (!read.ok) {
        counts = addCounts(counts, await rejectDocument(db, runId, read.rejected));
        tally([read.rejected.reason]);
        rejections.push({ file: item.path, n: null, line: read.rejected.reason.line, code: read.rejected.reason.code, message: read.rejected.reason.message });
        onDocument({ path: item.path, status: 'rejected', counts, reason: read.rejected.reason });
        continue;
      }
      const loaded = await isUnchanged(db, read.doc.path, read.doc.sha256);
      if (loaded) {
        counts = addCounts(counts, await markUnchanged(db, runId, loaded.id, loaded.entryCount));
        onDocument({ path: item.path, status: 'unchanged', counts });
        continue;
      }
      // Dedupe within the document in memory; across documents and runs, the loader matches
      // against the database (so memory does not grow with the run).
      const { parsed, entries } = parseAndDedupe(read.doc, runCtx, newDedupeState(noFuzzy));
      const fatal = parsed.diagnostics.find((d) => d.severity === 'error');
      if (fatal) {
        counts = addCounts(counts, await rejectDocument(db, runId, { path: item.path, sha256: read.doc.sha256, bytes: read.doc.bytes, reason: fatal }));
        tally([fatal]);
        rejections.push({ file: item.path, n: null, line: fatal.line, code: fatal.code, message: fatal.message });
        onDocument({ path: item.path, status: 'rejected', counts, reason: fatal });
        continue;
      }
      const result = await loadDocument(db, runId, read.doc, entries, parsed.diagnostics, { nearThreshold: ctx.config.nearDuplicateThreshold, noFuzzy, parseMs: Date.now() - t0 });
      counts = addCounts(counts, result.counts);
      if (!result.alreadyLoaded) {
        tally(parsed.diagnostics);
        for (const e of entries) {
          tally(e.diagnostics);
          const err = e.diagnostics.find((d) => d.severity === 'error');
          if (err) rejections.push({ file: e.file, n: e.n, line: err.line, code: err.code, message: err.message });
        }
      }
      onDocument({ path: item.path, status: result.alreadyLoaded ? 'unchanged' : 'loaded', counts });
    }
    current = null;
    await retireAndFinish(db, runId);
    const finished = Date.now();
    return { runId, status: 'finished', startedAt, finishedAt: new Date(finished).toISOString(), durationMs: finished - started, counts, issues, rejections, error: null };
  } catch (err) {
    const wrapped = new PipelineStepFailed('load', runId, current, err);
    await finishRun(db, runId, 'failed', wrapped.message).catch(() => {});
    throw wrapped;
  }
}
