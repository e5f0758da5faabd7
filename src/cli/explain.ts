import { excerpt } from '../diagnostics.ts';
import { explain, type Explanation, NotFoundError } from '../inspect/explain.ts';
import { DB_FLAGS, EXIT, type Io, openDb, parseFlags, UsageError, UserError } from './common.ts';

const sim = (s: number | null) => (s == null ? '' : `, similarity ${Number(s).toFixed(3)}`);

/** What each match rule means, for the "why" line. */
const RULE_MEANING: Record<string, string> = {
  'exact-key': 'the same title, source and date as the item',
  'near-duplicate': 'title and text similar to the item above the nearDuplicateThreshold',
  'repeated-title': "a bare repeat of the item's title line",
  merge: 'joined by digest merge',
  split: 'taken out by digest split',
};

/** The text `digest explain` prints. */
export function formatExplanation(x: Explanation): string {
  const out: string[] = [];
  if (x.kind === 'rejected') {
    out.push(`entry ${x.ref}: rejected (not loaded), run ${x.runId ?? '?'}`);
    const reasons = x.diagnostics.filter((d) => d.severity === 'error');
    for (const d of reasons) out.push(`reason    ${d.file}${d.line != null ? `:${d.line}` : ''}: ${d.message} [${d.code}]`);
    const status = (x.replay as { status?: string; runId?: number; code?: string } | null) ?? null;
    if (status?.status === 'rejected') out.push(`replay    still rejected by replay run ${status.runId}${status.code ? ` [${status.code}]` : ''}`);
    out.push(x.raw != null ? `quarantined text (${x.raw.length} characters): ${excerpt(x.raw, 120)}` : 'no text was kept for this entry');
    out.push(`After a fix (parser or configuration): digest replay${reasons[0] ? ` --reason ${reasons[0].code}` : ''}`);
  } else {
    const head = x.kind === 'item' ? `item ${x.itemId}` : `entry ${x.ref}`;
    out.push(`${head}${x.kind === 'item' && x.ref ? ` (values from ${x.ref})` : x.itemId != null ? ` -> item ${x.itemId}` : ''}, run ${x.runId ?? '?'}`);
    if (x.document && x.lines) out.push(`${x.lines.from === x.lines.to ? `line ${x.lines.from}` : `lines ${x.lines.from}-${x.lines.to}`} of ${x.document.path} (sha256 ${x.document.sha256.slice(0, 12)}${x.document.latest ? '' : ', an older version'})`);
    out.push('');
    for (const f of x.fields) {
      if (f.value == null && !f.span) {
        out.push(`${f.field.padEnd(9)} -  (${f.field === 'body' ? 'the entry is its title line only' : 'no rule found a value'})`);
        continue;
      }
      const value = f.value == null ? '-' : excerpt(f.value, 100);
      out.push(`${f.field.padEnd(9)} ${value}${f.detail ? `  (${f.detail})` : ''}`);
      if (f.span) {
        const where = `${f.span.file}:${f.span.line}${f.span.lastLine != null && f.span.lastLine !== f.span.line ? `-${f.span.lastLine}` : ''}`;
        out.push(`          span ${where} "${excerpt(f.span.text, 100)}"`);
      }
      if (f.rule) out.push(`          rule ${f.rule}`);
    }
  }
  if (x.match) {
    out.push('');
    const m = x.match;
    const it = x.item;
    const created = it && x.ref && it.file != null && `${it.file}#${it.n}` === x.ref;
    if (x.kind === 'item') {
      out.push(`item      ${x.itemId}: ${excerpt(it?.title ?? '', 90)}`);
    } else if (created && (m.outcome === 'new' || m.rule == null)) {
      out.push(`item      ${x.itemId}: this entry created it (outcome ${m.outcome})`);
    } else {
      out.push(`merged    into item ${x.itemId}: ${excerpt(it?.title ?? '', 80)}${it?.file ? ` (first seen at ${it.file}#${it.n})` : ''}`);
      const rule = m.rule ?? 'exact-key';
      out.push(`          why: ${rule}${RULE_MEANING[rule] ? ` (${RULE_MEANING[rule]})` : ''}${sim(m.similarity)}${m.duplicateOf ? `, duplicate of ${m.duplicateOf} in the same run` : ''} (outcome ${m.outcome})`);
    }
    if (m.key) {
      const run = m.key.runId != null ? ` in run ${m.key.runId}` : '';
      out.push(m.key.rule === 'first'
        ? `          key "${excerpt(m.key.key, 80)}" is the item's own key (first seen${run})`
        : `          key "${excerpt(m.key.key, 80)}" joined the item by ${m.key.rule}${sim(m.key.similarity)}${run}`);
    }
    if (it?.mergedIntoId != null) out.push(`          item ${it.id} was merged into item ${it.mergedIntoId} by digest merge${it.mergeNote ? ` (${it.mergeNote})` : ''}`);
  }
  if (x.members.length) {
    out.push(`other occurrences of this item (${x.members.length})`);
    for (const o of x.members) out.push(`  ${o.ref}  run ${o.runId}  ${o.outcome}${o.rule ? `  by ${o.rule}${sim(o.similarity)}` : ''}`);
  }
  const notes = x.kind === 'rejected' ? x.diagnostics.filter((d) => d.severity !== 'error') : x.diagnostics;
  out.push('');
  if (notes.length) {
    out.push('diagnostics');
    for (const d of notes) {
      const replay = (d.data as { replay?: { status?: string; runId?: number } } | null)?.replay;
      const note = replay?.status === 'recovered' ? ` (recovered by replay run ${replay.runId})` : replay?.status === 'rejected' ? ` (still rejected by replay run ${replay.runId})` : '';
      out.push(`  ${d.file}${d.line != null ? `:${d.line}` : ''}: ${d.message} [${d.code}, ${d.severity}, run ${d.runId}]${note}`);
    }
  } else out.push('diagnostics: none');
  return `${out.join('\n')}\n`;
}

/**
 * `digest explain ENTRY_ID | FILE#n [--json]`: why an entry or item has the values it has
 * (see `explain` in src/inspect/explain.ts). Exit 1 when the reference names nothing.
 */
export async function explainCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, json: { type: 'boolean' } });
  if (positionals.length !== 1) throw new UsageError('digest explain needs one ENTRY_ID (an item id) or FILE#n (the n-th entry of FILE), e.g. digest explain raw/page.txt#3');
  const handle = await openDb(values, io);
  try {
    const x = await explain(handle.db, positionals[0]!, io.cwd).catch((err) => {
      if (err instanceof NotFoundError) throw new UserError(err.message);
      throw err;
    });
    io.out(values.json ? `${JSON.stringify(x)}\n` : formatExplanation(x));
    return EXIT.ok;
  } finally {
    await handle.close();
  }
}
