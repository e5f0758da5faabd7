/**
 * A DATABASE_URL password never appears in what digest-etl prints, logs, writes or stores:
 * with a URL whose server cannot be reached (wrong port), and with a working URL whose
 * password the server ignores (trust authentication), for every command that opens the
 * database, with and without --debug, given by DATABASE_URL or by --db.
 *
 * Reproduce: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_ci npx vitest run tests/faults/secrets.test.ts
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.ts';
import { ROOT } from '../helpers/paths.ts';
import { freePort } from './lib/cluster.ts';
import { tempRoot } from './lib/harness.ts';
import { digestProc } from './lib/proc.ts';
import { freshServerDb, type FreshDb } from './lib/targets.ts';

const SERVER = process.env.TEST_DATABASE_URL;
/** The password, as written in the URL (percent-encoded) and as the driver sees it. */
const ENCODED = 'S3cr%2Ft-pa55%40w0rd%21x';
const PLAIN = decodeURIComponent(ENCODED); // S3cr/t-pa55@w0rd!x
const PIECES = [ENCODED, PLAIN, 'S3cr', 'pa55', 'w0rd'];

function leaks(text: string): string[] {
  return PIECES.filter((p) => text.includes(p));
}

/** Every file under `dir` (reports written with --out, logs). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** Commands that open the database (and an invalid one), as a user would type them. */
const COMMANDS: string[][] = [
  ['migrate'],
  ['ingest', '--verbose', 'raw'],
  ['ingest', '--json', 'raw'],
  ['runs'],
  ['runs', 'show', '1'],
  ['report', '--format', 'json'],
  ['report', '--format', 'html', '--out', 'out/report.html'],
  ['export'],
  ['verify'],
  ['verify', '--json'],
  ['duplicates'],
  ['sql', 'select id, status, error from runs'],
  ['config'],
];

/** Maps `items` through `fn`, at most `n` at once, keeping the order. */
async function inParallel<T, R>(items: T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }));
  return out;
}

function workdir(tag: string): string {
  const dir = join(tempRoot(tag), 'work');
  mkdirSync(join(dir, 'raw'), { recursive: true });
  mkdirSync(join(dir, 'out'), { recursive: true });
  for (const f of readdirSync(join(ROOT, 'raw')).filter((n) => n.endsWith('.txt'))) copyFileSync(join(ROOT, 'raw', f), join(dir, 'raw', f));
  return dir;
}

describe('a DATABASE_URL password', () => {
  it('never appears in output when the server cannot be reached (wrong port), with or without --debug, by env or --db', async () => {
    const cwd = workdir('secrets-down');
    const url = `postgres://digest_user:${ENCODED}@127.0.0.1:${await freePort()}/digest`;
    // Every command with --debug (it prints the most: stack traces) by DATABASE_URL; a few
    // by --db, with and without --debug.
    const runs: Array<{ how: string; cmd: string[]; env: Record<string, string> }> = [
      ...[...COMMANDS, ['enqueue', 'raw']].map((cmd) => ({ how: 'DATABASE_URL', cmd: [...cmd, '--debug'], env: { DATABASE_URL: url } })),
      ...[['ingest', 'raw'], ['verify']].flatMap((cmd) => [
        { how: '--db', cmd: [...cmd, '--db', url], env: {} },
        { how: '--db', cmd: [...cmd, '--db', url, '--debug'], env: {} },
      ]),
    ];
    // Two at a time (nothing is written: every command fails to connect).
    const results = await inParallel(runs, 2, ({ cmd, env }) => digestProc(cmd, { cwd, env }));
    runs.forEach(({ how, cmd }, i) => {
      const r = results[i]!;
      const all = r.stdout + r.stderr;
      expect(leaks(all), `digest ${cmd.join(' ')} via ${how} printed:\n${all.slice(0, 3000)}`).toEqual([]);
      if (cmd[0] !== 'config') expect(r.code, `digest ${cmd.join(' ')} via ${how}`).toBe(1);
    });
    // The failures say what is wrong (and show the URL without its password).
    const r = await digestProc(['verify'], { cwd, env: { DATABASE_URL: url } });
    expect(r.stderr).toMatch(/cannot use the database server \(ECONNREFUSED/);
    for (const f of filesUnder(cwd)) expect(leaks(readFileSync(f, 'latin1')), f).toEqual([]);
  }, 600_000);

  describe.skipIf(!SERVER)('with a server that ignores it (trust authentication)', () => {
    let db: FreshDb;
    let url: string;
    beforeAll(async () => {
      db = await freshServerDb(SERVER!, 'secrets');
      const u = new URL(db.url!);
      u.username = u.username || 'postgres';
      u.password = ENCODED;
      url = u.toString();
      // The server really accepts it (else the test would only exercise the error path).
      const h = await createDb({ url });
      await h.db.execute(sql`select 1`);
      await h.close();
    }, 120_000);
    afterAll(async () => {
      await db?.drop();
    });

    it('never appears in output, written reports or the database, for every command (with --debug too)', async () => {
      const cwd = workdir('secrets-up');
      const debugged = new Set(['verify', 'sql']);
      for (const cmd of COMMANDS) {
        for (const debug of debugged.has(cmd[0]!) && cmd.length < 3 ? [[], ['--debug']] : [[]]) {
          const r = await digestProc([...cmd, ...debug], { cwd, env: { DATABASE_URL: url } });
          const all = r.stdout + r.stderr;
          expect(leaks(all), `digest ${cmd.join(' ')} ${debug.join(' ')} printed:\n${all.slice(0, 3000)}`).toEqual([]);
          expect(r.code, `digest ${cmd.join(' ')}: ${r.stderr.slice(0, 500)}`).toBe(0);
        }
      }
      // A run that fails mid-way (a page the loader cannot store) prints and stores its error.
      const failing = join(cwd, 'raw/zz-fails.txt');
      const { writeFileSync } = await import('node:fs');
      let s = 1;
      let title = 'R';
      while (title.length < 5000) {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        title += String.fromCharCode(97 + ((s >> 16) % 26));
      }
      writeFileSync(failing, `A- A A+\n\n\n${title}\n\nBody. (Filter, USA, 12.05.2021)\n`);
      const bad = await digestProc(['ingest', '--debug', 'raw'], { cwd, env: { DATABASE_URL: url } });
      expect(leaks(bad.stdout + bad.stderr)).toEqual([]);
      for (const f of filesUnder(cwd)) expect(leaks(readFileSync(f, 'latin1')), f).toEqual([]);
      // Nothing in the database holds it either (runs.error, paths, diagnostics, ...).
      const h = await createDb({ url: db.url! });
      try {
        const { rowsOf } = await import('../../src/db/client.ts');
        const tables = rowsOf<{ t: string }>(await h.db.execute(sql`select table_name as t from information_schema.tables where table_schema = 'public'`));
        for (const { t } of tables) {
          const hits = rowsOf<{ n: number }>(await h.db.execute(sql`select count(*)::int as n from ${sql.identifier(t)} x where x::text like ${`%${PLAIN}%`} or x::text like ${`%${ENCODED}%`}`));
          expect(hits[0]!.n, `table ${t}`).toBe(0);
        }
      } finally {
        await h.close();
      }
    }, 600_000);
  });
});
