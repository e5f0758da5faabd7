import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { digest } from '../helpers/cli.ts';
import { NOW, ROOT } from '../helpers/paths.ts';

const noServer = { DATABASE_URL: undefined, DIGEST_DB_DIR: undefined };

describe('digest report through the binary', () => {
  let dir: string;

  beforeAll(async () => {
    // A user's folder with raw/ loaded into .digest/pglite (in-process: one binary start less).
    dir = mkdtempSync(join(tmpdir(), 'digest-report-cli-'));
    mkdirSync(join(dir, 'raw'));
    for (const f of ['sample-digest-2023.txt', 'sample-prison-section.txt']) copyFileSync(join(ROOT, 'raw', f), join(dir, 'raw', f));
    const handle = await createDb({ dir: join(dir, '.digest/pglite') });
    try {
      await runIngest(handle, [join(dir, 'raw')], createContext({ now: NOW }));
    } finally {
      await handle.close();
    }
  });

  it('prints the Markdown report of the latest run, summary first, and exits 0', () => {
    const r = digest(['report', '--format', 'md'], { cwd: dir, env: noServer });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('# digest report: run 1 (finished)');
    expect(lines[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC · [\d.]+ (s|ms) · PGlite \.digest\/pglite$/);
    expect(lines.slice(4, 14)).toEqual([
      '## Summary',
      '',
      '- **entries**: 13 read: 11 new, 0 updated, 0 unchanged, 2 duplicate, 0 rejected',
      '- **files**: 2 read: 2 loaded, 0 unchanged, 0 rejected',
      '- **accounting**: OK',
      expect.stringMatching(/^- \*\*coverage\*\*: of 13 loaded: source [\d.]+%, country [\d.]+%, date [\d.]+%, DOI [\d.]+%, language [\d.]+%$/),
      '- **drift**: no earlier run to compare with',
      expect.stringMatching(/^- \*\*issues\*\*: \d+ diagnostics? in \d+ codes?: 0 errors, \d+ warnings?, \d+ info$/),
      '- **checks**: all 6 passed',
      '',
    ]);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
  });

  it('with --strict and a threshold the run cannot meet, writes the report, says why and exits 1', () => {
    const r = digest(['report', '--strict', '--min-coverage', 'doi=100%', '--format', 'html', '--out', 'out/r.html'], { cwd: dir, env: noServer });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('digest report: wrote the html report of run 1 to out/r.html');
    expect(r.stderr).toMatch(/digest report --strict: 1 of 7 checks failed:\n {2}coverage:doi: doi [\d.]+% \(minimum 100\.0%\)\n/);
    expect(existsSync(join(dir, 'out/r.html'))).toBe(true);
    expect(readFileSync(join(dir, 'out/r.html'), 'utf8')).toMatch(/^<!doctype html>/);
  });
});
