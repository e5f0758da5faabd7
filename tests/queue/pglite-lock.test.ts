import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digest } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';

const noServer = { DATABASE_URL: undefined, DIGEST_DB_DIR: undefined };

/** Starts a process that holds the embedded database in `dir` open; resolves once it has. */
function holdDatabase(dir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/queue/hold-pglite.ts'), dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('ready')) resolve();
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    void exited.then(() => reject(new Error(`the holder exited: ${err}`)));
  });
  return { child, ready, exited };
}

describe('the embedded database and a second process', () => {
  it('refuses a second process with "database in use by process N", and the data folder is intact afterwards', async () => {
    const work = mkdtempSync(join(tmpdir(), 'digest-lock-'));
    const dir = join(work, 'pglite');
    const raw = join(ROOT, 'raw');
    const first = digest(['ingest', '--json', '--db', dir, raw], { env: noServer });
    expect(first.code).toBe(0);
    const loaded = JSON.parse(first.stdout) as { counts: { filesRead: number; entriesRead: number; entriesNew: number } };
    expect(loaded.counts.entriesNew).toBeGreaterThan(5);

    // While a live process holds the folder, another one is refused before it opens anything,
    // and a scheduled tick is skipped (logged) instead of failing.
    const holder = holdDatabase(dir);
    await holder.ready;
    const refused = digest(['ingest', '--db', dir, raw], { env: noServer });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`database in use by process ${holder.child.pid}`);
    const tick = digest(['schedule', '--every', '1s', '--ticks', '1', '--db', dir, raw], { env: noServer });
    expect(tick.code).toBe(0);
    expect(JSON.parse(tick.stdout.trim())).toMatchObject({ event: 'skip', reason: expect.stringContaining(`database in use by process ${holder.child.pid}`) });

    // The holder dies with SIGKILL (no chance to close): its lock file stays behind, the next
    // process takes it over, and everything loaded before is there, unchanged.
    holder.child.kill('SIGKILL');
    await holder.exited;
    expect(readFileSync(`${dir}.lock`, 'utf8').trim()).toBe(String(holder.child.pid));
    const again = digest(['ingest', '--json', '--db', dir, raw], { env: noServer });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: 'finished',
      counts: { filesRead: loaded.counts.filesRead, filesUnchanged: loaded.counts.filesRead, entriesRead: loaded.counts.entriesRead, entriesUnchanged: loaded.counts.entriesRead, entriesNew: 0 },
    });
    expect(existsSync(`${dir}.lock`)).toBe(false);
  }, 180_000);

  it('answers enqueue and worker on the embedded database with a usage error that names the server and the alternatives', () => {
    for (const cmd of ['enqueue', 'worker']) {
      const r = digest([cmd], { env: noServer });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('the job queue needs a PostgreSQL server (set DATABASE_URL=postgres://');
      expect(r.stderr).toContain('"digest ingest PATH…"');
      expect(r.stderr).toContain('"digest schedule --cron EXPR PATH…"');
    }
  });
});
