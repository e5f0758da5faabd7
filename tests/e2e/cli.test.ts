import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digest } from '../helpers/cli.ts';
import { HAS_SEED, ROOT, SEED_GOLD, SEED_TXT } from '../helpers/paths.ts';

const CONTRACT_KEYS = ['file', 'n', 'title', 'body', 'source', 'country', 'date', 'datePrecision', 'dateFlag', 'doi', 'pmid', 'pmcid', 'language', 'duplicateOf', 'issues'];

/** A working folder like a user's: the project's raw/ copied in, no database yet. */
function workdir() {
  const dir = mkdtempSync(join(tmpdir(), 'digest-cli-'));
  mkdirSync(join(dir, 'raw'));
  for (const f of ['sample-digest-2023.txt', 'sample-prison-section.txt']) copyFileSync(join(ROOT, 'raw', f), join(dir, 'raw', f));
  return dir;
}

const noServer = { DATABASE_URL: undefined, DIGEST_DB_DIR: undefined };

describe('digest parse', () => {
  it.skipIf(!HAS_SEED)('prints 31 JSONL entries for the seed page, each with exactly the contract keys', () => {
    const r = digest(['parse', SEED_TXT]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(31);
    for (const row of rows) expect(Object.keys(row)).toEqual(CONTRACT_KEYS);
    expect(rows[22]).toMatchObject({ n: 23, duplicateOf: `${SEED_TXT}#22` });
    expect(rows[24]).toMatchObject({ country: 'US', source: 'The Kansas City Star', date: '2020', dateFlag: 'invalid' });
  });

  it('names the file when it does not exist, and exits 1', () => {
    const r = digest(['parse', 'no/such/file.txt']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no/such/file.txt does not exist. [read/not-found]');
  });

  it('exits 2 with a usage message when no file is given', () => {
    const r = digest(['parse']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('digest parse needs at least one FILE');
  });
});

describe('digest ingest and export on the embedded database', () => {
  it('loads raw/ into .digest/pglite, prints the summary, and a second run adds nothing', () => {
    const dir = workdir();
    const first = digest(['ingest'], { cwd: dir, env: noServer });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('entries  13 read = 11 new + 0 updated + 0 unchanged + 2 duplicate + 0 rejected');
    expect(first.stdout).toContain('PGlite .digest/pglite');
    const exported = digest(['export'], { cwd: dir, env: noServer });
    expect(exported.code).toBe(0);
    const rows = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(11);
    expect(Object.keys(rows[0])).toEqual(['id', ...CONTRACT_KEYS]);

    const second = digest(['ingest'], { cwd: dir, env: noServer });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('entries  13 read = 0 new + 0 updated + 13 unchanged + 0 duplicate + 0 rejected');
    expect(digest(['export'], { cwd: dir, env: noServer }).stdout).toBe(exported.stdout);
  });

  it('rejects a PNG renamed .txt with a message naming it, loads the rest, and --strict exits 1', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'raw', 'photo.txt'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const r = digest(['ingest'], { cwd: dir, env: noServer });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('raw/photo.txt: raw/photo.txt is a PNG image, not a text file. [read/binary]');
    expect(r.stdout).toContain('11 new');
    const strict = digest(['ingest', '--strict'], { cwd: dir, env: noServer });
    expect(strict.code).toBe(1);
  });

  it('exports CSV with a header row and quoted fields', () => {
    const dir = workdir();
    digest(['ingest'], { cwd: dir, env: noServer });
    const r = digest(['export', '--format', 'csv'], { cwd: dir, env: noServer });
    expect(r.code).toBe(0);
    const [header] = r.stdout.split('\n');
    expect(header).toBe(['id', ...CONTRACT_KEYS].join(','));
    expect(r.stdout).toContain(',"About half of the estimated high-risk opioid users in the European Union receive opioid agonist treatment, with wide');
  });

  it('exits 2 for an unknown format and an unknown command', () => {
    expect(digest(['export', '--format', 'xml'], { env: noServer }).code).toBe(2);
    expect(digest(['frobnicate']).code).toBe(2);
  });

  it('says clearly when the database server cannot be reached and never prints its password', () => {
    const r = digest(['ingest', 'raw'], { env: { DATABASE_URL: 'postgres://digest:hunter2secret@127.0.0.1:1/nowhere' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Check DATABASE_URL');
    expect(r.stderr + r.stdout).not.toContain('hunter2secret');
  });
});

describe.skipIf(!HAS_SEED)('digest eval on the seed page', () => {
  it('scores segmentation F1 100% and every field at least 97%, and the --min gate passes', () => {
    const r = digest(['eval', '--gold', SEED_GOLD, SEED_TXT, '--min', 'f1=1,fields=0.97']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/entries\s+tp 31\s+fp 0\s+fn 0/);
  });

  it('exits 1 when a threshold cannot be met', () => {
    const r = digest(['eval', '--gold', SEED_GOLD, SEED_TXT, '--min', 'f1=1,fields=1.01']);
    expect(r.code).toBe(1);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL && HAS_SEED)('digest ingest on the server', () => {
  it('loads the seed into the server named by DATABASE_URL and exports the same entries as PGlite', async () => {
    const { serverTarget } = await import('../helpers/db.ts');
    const server = await serverTarget(process.env.TEST_DATABASE_URL!).open();
    await server.handle.close();
    try {
      const dir = workdir();
      const s = digest(['ingest', SEED_TXT], { cwd: dir, env: { DATABASE_URL: server.url! } });
      expect(s.code).toBe(0);
      expect(s.stdout).toContain('31 read = 30 new');
      const p = digest(['ingest', SEED_TXT], { cwd: dir, env: noServer });
      expect(p.code).toBe(0);
      const strip = (out: string) => out.trim().split('\n').map((l) => { const { id: _id, ...rest } = JSON.parse(l); return rest; });
      const fromServer = strip(digest(['export'], { cwd: dir, env: { DATABASE_URL: server.url! } }).stdout);
      const fromPglite = strip(digest(['export'], { cwd: dir, env: noServer }).stdout);
      expect(fromServer).toHaveLength(30);
      expect(fromServer).toEqual(fromPglite);
    } finally {
      await server.drop();
    }
  });
});
