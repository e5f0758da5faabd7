import type { RunResult } from '../types.ts';

/** The run summary a person reads after `digest ingest`. */
export function formatSummary(r: RunResult, where: string): string {
  const c = r.counts;
  const lines = [
    `digest ingest: run ${r.runId} ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s (${where})`,
    `files    ${c.filesRead} read: ${c.filesRead - c.filesRejected - c.filesUnchanged} loaded, ${c.filesUnchanged} unchanged, ${c.filesRejected} rejected`,
    `entries  ${c.entriesRead} read = ${c.entriesNew} new + ${c.entriesUpdated} updated + ${c.entriesUnchanged} unchanged + ${c.entriesDuplicate} duplicate + ${c.entriesRejected} rejected`,
  ];
  const issues = Object.entries(r.issues).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (issues.length) {
    lines.push('issues');
    for (const [code, n] of issues) lines.push(`  ${String(n).padStart(5)}  ${code}`);
  }
  if (r.rejections.length) {
    lines.push('rejected');
    for (const x of r.rejections) lines.push(`  ${x.file}${x.n != null ? `#${x.n}` : ''}${x.line != null ? `:${x.line}` : ''}: ${x.message} [${x.code}]`);
  }
  return `${lines.join('\n')}\n`;
}
