import { dedupe, newDedupeState } from '../dedupe/dedupe.ts';
import type { DbHandle } from '../db/client.ts';
import { finishRun } from '../load/load.ts';
import { startOwnedRun } from '../load/run-owner.ts';
import { splitKeys } from '../load/overrides.ts';
import { parseDraft } from '../pipeline/parse.ts';
import { isRejected } from '../quality/quality.ts';
import { toBlocks } from '../read/blocks.ts';
import type { Block, EntryDraft, RawDocument, RunContext } from '../types.ts';
import { findQuarantined, loadRecovered, markStillRejected, type QuarantineRow } from './store.ts';

/** What became of one quarantined entry or document. */
export interface ReplayOutcome {
  file: string;
  n: number | null;
  /** The codes it was rejected with. */
  was: string[];
  /**
   * `recovered` (loaded now), `rejected` (the current parser still rejects it), `needs-file`
   * (a rejected document: its bytes are not kept, re-ingest the file), `superseded` (a newer
   * version of the file was loaded since), `no-text` (no raw text was kept).
   */
  status: 'recovered' | 'rejected' | 'needs-file' | 'superseded' | 'no-text';
  itemId?: number;
  /** For recovered: `new` or `duplicate` (joined an item already loaded), and by which rule. */
  outcome?: string;
  rule?: string | null;
  similarity?: number | null;
  /** For still rejected: the reason now. */
  code?: string;
  message?: string;
}

/** The result of a replay: the run it recorded (null when there was nothing to replay) and each outcome. */
export interface ReplayResult {
  runId: number | null;
  outcomes: ReplayOutcome[];
}

/**
 * Rebuilds the segmented entry from its quarantined text (`title`, a blank line, the body, as the
 * loader stores it). The entry's boundaries were decided when its page was read, so replay runs
 * every stage after segmentation (extract, language, quality, dedupe) on it. Line numbers count
 * from the entry's title line (the stored text keeps the blank line after the title and the
 * body's own line breaks).
 */
export function draftFromRaw(file: string, n: number, titleLine: number, raw: string): EntryDraft {
  const nl = raw.indexOf('\n');
  const title = (nl < 0 ? raw : raw.slice(0, nl)).trim();
  // Line 1 (the title) blanked, so every body line keeps its number within the stored text.
  const rest = nl < 0 ? '' : `\n${raw.slice(nl + 1)}`;
  const doc: RawDocument = { path: file, sha256: '', format: 'text', bytes: rest.length, encoding: 'utf-8', text: rest, diagnostics: [] };
  const shift = titleLine - 1;
  const body: Block[] = toBlocks(doc).blocks.map((b, i) => ({
    ...b,
    gapBefore: i === 0 ? 1 : b.gapBefore,
    lines: b.lines.map((l) => ({ ...l, line: l.line + shift })),
  }));
  const last = body[body.length - 1]?.lines;
  return {
    file,
    n,
    title,
    titleLine,
    body,
    endLine: last?.length ? last[last.length - 1]!.line : titleLine,
    closedBy: 'end-of-document',
    links: body.flatMap((b) => b.links),
    diagnostics: [],
  };
}

function plan(q: QuarantineRow): ReplayOutcome['status'] | 'replay' {
  if (q.n == null) return 'needs-file';
  if (q.latest === false) return 'superseded';
  if (q.raw == null || q.documentId == null) return 'no-text';
  return 'replay';
}

/**
 * `digest replay`: re-runs every quarantined entry (rejected, not yet recovered; with `reason`
 * only those rejected with that code) through the current parser and configuration, without the
 * original files. Recovered entries are loaded into their original document version, in a run of
 * their own (`paths: ["replay"]`), and marked so they are never replayed twice; entries that are
 * still rejected keep their quarantine with the new reason. Rejected documents are reported as
 * needing their file (their bytes are not kept).
 */
export async function replayQuarantine(handle: DbHandle, ctx: RunContext, reason: string | null): Promise<ReplayResult> {
  const { db } = handle;
  const quarantined = await findQuarantined(db, reason);
  const outcomes: ReplayOutcome[] = [];
  const todo: QuarantineRow[] = [];
  for (const q of quarantined) {
    const p = plan(q);
    if (p === 'replay') todo.push(q);
    else if (!(p === 'needs-file' && q.reloaded)) outcomes.push({ file: q.file, n: q.n, was: q.codes, status: p });
  }
  if (!todo.length) return { runId: null, outcomes };
  const owned = await startOwnedRun(handle, ctx.config.name, ['replay', ...(reason ? [`--reason ${reason}`] : [])]);
  const { runId } = owned;
  const runCtx: RunContext = { ...ctx, runId };
  const noFuzzy = await splitKeys(db);
  try {
    for (const q of todo) {
      const entry = parseDraft(draftFromRaw(q.file, q.n!, q.line ?? 1, q.raw!), runCtx);
      if (isRejected(entry)) {
        const why = entry.diagnostics.find((d) => d.severity === 'error')!;
        await markStillRejected(db, q, runId, why);
        outcomes.push({ file: q.file, n: q.n, was: q.codes, status: 'rejected', code: why.code, message: why.message });
        ctx.log.debug(`${q.file}#${q.n} still rejected`, { code: why.code });
        continue;
      }
      const [deduped] = dedupe([entry], newDedupeState(noFuzzy), runCtx);
      const r = await loadRecovered(db, runId, q, deduped!, { nearThreshold: ctx.config.nearDuplicateThreshold, noFuzzy });
      outcomes.push({ file: q.file, n: q.n, was: q.codes, status: 'recovered', itemId: r.itemId, outcome: r.outcome, rule: r.rule, similarity: r.similarity });
      ctx.log.debug(`${q.file}#${q.n} recovered as item ${r.itemId}`, { outcome: r.outcome });
    }
    await finishRun(db, runId, 'finished');
  } catch (err) {
    await finishRun(db, runId, 'failed', (err as Error)?.message ?? String(err)).catch(() => {});
    throw err;
  } finally {
    await owned.release().catch(() => {});
  }
  return { runId, outcomes };
}
