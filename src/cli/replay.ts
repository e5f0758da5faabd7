import { CONFIG_FLAGS, resolveConfig } from '../config/load.ts';
import { DIAGNOSTIC_CODES } from '../diagnostics.ts';
import { createLogger } from '../log/reporter.ts';
import { createContext } from '../pipeline/context.ts';
import { replayQuarantine, type ReplayOutcome } from '../replay/replay.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError, VERBOSITY_FLAGS, verbosityOf } from './common.ts';

const ref = (o: ReplayOutcome) => `${o.file}${o.n != null ? `#${o.n}` : ''}`;

/**
 * `digest replay [--reason CODE] [--json]`: re-runs the quarantined (rejected) entries through
 * the current parser and configuration, without the original files, and reports what was
 * recovered (loaded now) and what is still rejected. Takes the pipeline flags (`--pipeline`,
 * `--max-entry-chars`, …) like ingest. Exit 0; with --strict 1 when anything is still rejected.
 */
export async function replayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, ...CONFIG_FLAGS, ...VERBOSITY_FLAGS, reason: { type: 'string' }, json: { type: 'boolean' }, strict: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`digest replay takes no paths (got ${positionals.join(' ')}); it replays from the database`);
  const reason = values.reason ?? null;
  if (reason != null && !(reason in DIAGNOSTIC_CODES)) throw new UsageError(`--reason ${reason} is not a diagnostic code; the rejection codes are ${Object.entries(DIAGNOSTIC_CODES).filter(([, [s]]) => s === 'error').map(([c]) => c).join(', ')}`);
  const verbosity = verbosityOf(values);
  const resolved = await resolveConfig({ flags: values, env: io.env, cwd: io.cwd });
  const handle = await openDb(values, io);
  try {
    const ctx = createContext({ now: new Date(), config: resolved.config, log: createLogger(io, 'replay', verbosity) });
    const r = await replayQuarantine(handle, ctx, reason);
    const by = (s: ReplayOutcome['status']) => r.outcomes.filter((o) => o.status === s);
    const recovered = by('recovered');
    const rejected = by('rejected');
    if (values.json) {
      io.out(`${JSON.stringify(r)}\n`);
    } else if (verbosity !== 'quiet') {
      const out: string[] = [];
      const scope = reason ? ` with reason ${reason}` : '';
      if (r.runId == null) out.push(`digest replay: no quarantined entries${scope} to replay (${handle.describe})`);
      else out.push(`digest replay: run ${r.runId} replayed ${recovered.length + rejected.length} quarantined entr${recovered.length + rejected.length === 1 ? 'y' : 'ies'}${scope}: ${recovered.length} recovered, ${rejected.length} still rejected (${handle.describe})`);
      if (recovered.length) {
        out.push('recovered');
        for (const o of recovered) {
          const how = o.outcome === 'new' ? 'a new item' : o.outcome === 'already' ? 'already loaded' : `joined by ${o.rule}${o.similarity != null && o.similarity !== 1 ? ` (similarity ${o.similarity})` : ''}`;
          out.push(`  ${ref(o)} [${o.was.join(', ')}] -> item ${o.itemId} (${how})`);
        }
      }
      if (rejected.length) {
        out.push('still rejected');
        for (const o of rejected) out.push(`  ${ref(o)} [${o.was.join(', ')}]: ${o.message} [${o.code}]`);
      }
      const files = by('needs-file');
      if (files.length) {
        out.push('documents (their bytes are not kept: fix the file, then digest ingest FILE)');
        for (const o of files) out.push(`  ${ref(o)} [${o.was.join(', ')}]`);
      }
      const old = by('superseded');
      if (old.length) out.push(`${old.length} rejected entr${old.length === 1 ? 'y belongs' : 'ies belong'} to older versions of their files and ${old.length === 1 ? 'is' : 'are'} not replayed.`);
      const noText = by('no-text');
      if (noText.length) out.push(`${noText.length} rejected entr${noText.length === 1 ? 'y has' : 'ies have'} no stored text; re-ingest ${[...new Set(noText.map((o) => o.file))].join(', ')}.`);
      io.out(`${out.join('\n')}\n`);
    }
    if (values.strict && rejected.length) return EXIT.failed;
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
