import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';
import { digestAsync, inTerminal, LOCAL, plainText, workdir } from './operator-helpers.ts';

/** util-linux `script` gives a command a pseudo-terminal; without it the terminal test is skipped. */
const HAS_SCRIPT = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Three ingests of raw/ into throw-away in-memory databases, started side by side.
let dir: string;
const runs: Record<string, Promise<CliRun>> = {};

beforeAll(() => {
  dir = workdir('digest-operator-progress-');
  const env = { ...LOCAL };
  if (HAS_SCRIPT) runs.terminal = inTerminal(`${JSON.stringify(process.execPath)} ${JSON.stringify(join(ROOT, 'bin/digest.js'))} ingest --db memory://`, { cwd: dir, env });
  else console.warn('skipping the terminal test: util-linux `script` is not installed');
  runs.verbose = digestAsync(['ingest', '--db', 'memory://', '--verbose'], { cwd: dir, env });
  runs.quiet = digestAsync(['ingest', '--db', 'memory://', '--quiet'], { cwd: dir, env });
});

describe('progress on a terminal and log lines without one', () => {
  it.skipIf(!HAS_SCRIPT)('draws a progress bar with files, entries, rate and ETA on a terminal, then the summary', async () => {
    const r = await runs.terminal!;
    expect(r.code).toBe(0);
    const screen = plainText(r.stdout);
    // The bar (cli-progress) redraws in place: the last frame has every file done.
    expect(screen).toMatch(/ingest [█░]{24} 2\/2 files \| 13 entries \| \d+ entries\/s \| ETA +0s \| run 1 finished in [\d.]+ s/);
    expect(r.stdout).toMatch(/\x1b\[\?25l/); // the cursor is hidden while the bar is drawn
    expect(screen).toContain('entries  13 read = 11 new + 0 updated + 0 unchanged + 2 duplicate + 0 rejected');
    expect(screen).not.toContain('"event"');
  });

  it('writes JSON lines, with --verbose also debug lines, when stdout is not a terminal', async () => {
    const r = await runs.verbose!;
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.level} ${l.event}`)).toEqual(['debug start', 'info document', 'info document', 'info run']);
    expect(lines[0]).toMatchObject({ files: 2, paths: ['raw'], pipeline: 'pipelines/digest-pages.ts', database: 'PGlite (in memory)' });
    expect(lines[1]).toMatchObject({ runId: 1, path: 'raw/sample-digest-2023.txt', status: 'loaded', entries: { read: 10, new: 9, duplicate: 1 }, files: { done: 1, total: 2 } });
    expect(lines[3]).toMatchObject({ runId: 1, status: 'finished', entries: { read: 13, new: 11, duplicate: 2, rejected: 0 } });
    expect(r.stdout).toContain('entries  13 read = 11 new');
  });

  it('--quiet prints nothing when nothing fails', async () => {
    const r = await runs.quiet!;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
  });
});
