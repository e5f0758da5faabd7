import { getRun, listRuns, type RunRow } from '../inspect/runs.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, positiveNumber, table, UsageError, UserError } from './common.ts';

const when = (iso: string | null) => (iso ? `${iso.slice(0, 19).replace('T', ' ')}` : '');
const seconds = (ms: number | null) => (ms == null ? '' : `${(ms / 1000).toFixed(1)} s`);

/** The paths of a run as one cell. */
function pathsCell(r: RunRow): string {
  return r.paths.join(' ');
}

/**
 * `digest runs [--limit N] [--json]`: the most recent runs (default 20), newest first, with
 * status, start (UTC), duration and counts. `digest runs show ID [--json]`: one run with its
 * documents, issues, rejections and, for a replay run, what it recovered.
 */
export async function runsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, limit: { type: 'string' }, json: { type: 'boolean' } });
  const [sub, idArg, ...extra] = positionals;
  if (sub !== undefined && sub !== 'show') throw new UsageError(`unknown subcommand "${sub}"; use "digest runs" or "digest runs show ID"`);
  if (sub === 'show' && (idArg === undefined || extra.length)) throw new UsageError('digest runs show needs exactly one run id, e.g. digest runs show 3');
  const id = sub === 'show' ? positiveNumber(idArg, 'the run id') : null;
  if (id != null && values.limit != null) throw new UsageError('--limit applies to the list, not to digest runs show');
  const limit = values.limit != null ? positiveNumber(values.limit, '--limit') : 20;
  const handle = await openDb(values, io);
  try {
    if (id == null) {
      const rows = await listRuns(handle.db, limit);
      if (values.json) {
        io.out(`${JSON.stringify(rows)}\n`);
        return EXIT.ok;
      }
      if (!rows.length) {
        io.out(`no runs yet in ${handle.describe}; start one with: digest ingest\n`);
        return EXIT.ok;
      }
      io.out(
        table(
          ['run', 'status', 'started (UTC)', 'duration', 'files', 'entries', 'new', 'updated', 'unchanged', 'duplicate', 'rejected', 'paths'],
          rows.map((r) => [
            r.id,
            r.status,
            when(r.startedAt),
            seconds(r.durationMs),
            r.counts.filesRejected ? `${r.counts.filesRead} (${r.counts.filesRejected} rejected)` : String(r.counts.filesRead),
            r.counts.entriesRead,
            r.counts.entriesNew,
            r.counts.entriesUpdated,
            r.counts.entriesUnchanged,
            r.counts.entriesDuplicate,
            r.counts.entriesRejected,
            pathsCell(r),
          ]),
        ),
      );
      return EXIT.ok;
    }
    const r = await getRun(handle.db, id);
    if (!r) throw new UserError(`there is no run ${id} in ${handle.describe}; "digest runs" lists them.`);
    if (values.json) {
      io.out(`${JSON.stringify(r)}\n`);
      return EXIT.ok;
    }
    const c = r.counts;
    const out: string[] = [
      `run ${r.id}  ${r.status}  pipeline ${r.pipeline}`,
      `started   ${when(r.startedAt)} UTC`,
      `finished  ${r.finishedAt ? `${when(r.finishedAt)} UTC (${seconds(r.durationMs)})` : '(not finished)'}`,
      `paths     ${pathsCell(r)}`,
      `files     ${c.filesRead} read: ${c.filesRead - c.filesRejected - c.filesUnchanged} loaded, ${c.filesUnchanged} unchanged, ${c.filesRejected} rejected`,
      `entries   ${c.entriesRead} read = ${c.entriesNew} new + ${c.entriesUpdated} updated + ${c.entriesUnchanged} unchanged + ${c.entriesDuplicate} duplicate + ${c.entriesRejected} rejected`,
    ];
    if (r.error) out.push(`error     ${r.error}`);
    if (r.documents.length) {
      const replay = r.paths[0] === 'replay';
      out.push(replay ? 'documents the replayed entries were added to' : 'documents');
      for (const d of r.documents) {
        if (replay && d.status === 'loaded') d.status = 'replayed into';
        const times = [d.parseMs != null ? `parse ${d.parseMs} ms` : '', d.loadMs != null ? `load ${d.loadMs} ms` : ''].filter(Boolean).join(', ');
        out.push(`  ${d.path}  ${d.status}  ${d.entries} entries  sha256 ${d.sha256.slice(0, 12)}${times ? `  ${times}` : ''}`);
      }
    }
    const issues = Object.entries(r.issues);
    if (issues.length) {
      out.push('issues');
      for (const [code, n] of issues) out.push(`  ${String(n).padStart(5)}  ${code}`);
    }
    if (r.rejections.length) {
      out.push('rejected');
      for (const x of r.rejections) {
        const status = (x.replay as { status?: string } | null)?.status;
        const note = status === 'recovered' ? ' (recovered by digest replay)' : x.n != null ? ' (quarantined: digest replay)' : '';
        out.push(`  ${x.file}${x.n != null ? `#${x.n}` : ''}${x.line != null ? `:${x.line}` : ''}: ${x.message} [${x.code}]${note}`);
      }
    }
    if (r.replayed.length) {
      out.push('replayed');
      for (const x of r.replayed) {
        out.push(`  ${x.file}#${x.n} [${x.code}]: ${x.status === 'recovered' ? `recovered as item ${x.itemId}` : `still rejected${x.now ? ` [${x.now}]` : ''}`}`);
      }
    }
    io.out(`${out.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
