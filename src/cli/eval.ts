import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { listInputs } from '../read/files.ts';
import { formatReport, checkThresholds, parseMinSpec } from '../eval/format.ts';
import { parseGold } from '../eval/gold.ts';
import { score } from '../eval/score.ts';
import type { GoldEntry } from '../eval/types.ts';
import { EXIT, type Io, parseFlags, UsageError } from './common.ts';
import { parseFiles } from './parse.ts';

/** `X.txt` -> `X.gold.jsonl` beside it. */
function siblingGold(path: string): string {
  return path.replace(/\.[^./]+$/, '') + '.gold.jsonl';
}

/**
 * `digest eval [--gold GOLD.jsonl]… [--misses] [--min f1=0.99,fields=0.97] [--json] FILE…`:
 * parses the files and scores them against gold annotations (ANNOTATION.md format). Without
 * --gold, each input's `X.gold.jsonl` beside it is used. Exit 1 when a --min threshold fails.
 */
export async function evalCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    gold: { type: 'string', multiple: true },
    misses: { type: 'boolean' },
    min: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (!positionals.length) throw new UsageError('digest eval needs FILE… to parse (and --gold GOLD.jsonl, or X.gold.jsonl beside each X).');
  const min = values.min ? parseMinSpec(values.min) : null;
  const inputs = (await listInputs(positionals)).flatMap((i) => ('path' in i ? [i.path] : []));
  const goldPaths = values.gold?.length ? values.gold : inputs.map(siblingGold).filter((p) => existsSync(p));
  if (!goldPaths.length) throw new UsageError('no gold file: pass --gold GOLD.jsonl or put X.gold.jsonl beside X.txt.');
  const gold: GoldEntry[] = [];
  for (const g of goldPaths) {
    let text: string;
    try {
      text = await readFile(g, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read gold file ${g}: ${(err as Error).message}`);
    }
    gold.push(...parseGold(text, g));
  }
  const { records, problems } = await parseFiles(inputs.filter((p) => !p.endsWith('.gold.jsonl')), new Date());
  for (const p of problems) io.err(`${p}\n`);
  const report = score(records, gold);
  if (values.json) io.out(`${JSON.stringify(report)}\n`);
  else io.out(formatReport(report, { misses: Boolean(values.misses) }));
  if (min) {
    const failures = checkThresholds(report, min);
    for (const f of failures) io.err(`digest eval: ${f}\n`);
    if (failures.length) return EXIT.failed;
  }
  return EXIT.ok;
}
