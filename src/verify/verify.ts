import type { Db } from '../db/client.ts';
import { type Check, CHECKS, type Problem } from './checks.ts';

/** What `verifyDatabase` found. `ok` when no check found a problem. */
export interface VerifyReport {
  ok: boolean;
  /** Names of the checks run, in order. */
  checks: string[];
  /** Every problem, grouped by check in the order the checks ran. */
  problems: Problem[];
}

/**
 * Runs every invariant check (default: all of CHECKS) against the database and collects their
 * problems. Read-only. A check that cannot run (a query error) is itself a problem, so one
 * broken check does not hide the others.
 */
export async function verifyDatabase(db: Db, checks: readonly Check[] = CHECKS): Promise<VerifyReport> {
  const problems: Problem[] = [];
  for (const c of checks) {
    try {
      problems.push(...(await c.run(db)));
    } catch (err) {
      problems.push({ check: c.name, message: `the check could not run: ${(err as Error)?.message ?? String(err)}` });
    }
  }
  return { ok: problems.length === 0, checks: checks.map((c) => c.name), problems };
}

/** The report as text: "verify: N checks passed", or each problem on its own line. */
export function formatVerifyReport(r: VerifyReport, where: string): string {
  if (r.ok) return `verify: ${r.checks.length} checks passed (${where})\n`;
  const failed = new Set(r.problems.map((p) => p.check));
  const lines = [`verify: ${failed.size} of ${r.checks.length} checks failed (${where})`];
  for (const p of r.problems) lines.push(`  ${p.check}: ${p.message}`);
  return `${lines.join('\n')}\n`;
}
