import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { digest } from '../helpers/cli.ts';
import { HAS_SEED, ROOT, SEED_TXT } from '../helpers/paths.ts';
import { LOCAL, workdir } from './operator-helpers.ts';

// One embedded database for the whole file (each binary start costs seconds): raw/ and, when
// present, the seed page are ingested once; the tests below read it in order, and the replay
// and failure tests at the end add to it.
const SEED = 'raw/digest-2022-09.txt';
let dir: string;
const run = (args: string[], env: Record<string, string | undefined> = {}) => digest(args, { cwd: dir, env: { ...LOCAL, ...env } });

beforeAll(() => {
  dir = workdir('digest-operator-');
  if (HAS_SEED) copyFileSync(SEED_TXT, join(dir, SEED));
  else console.warn(`skipping the seed page checks: ${SEED_TXT} is absent`);
});

describe('digest ingest without a terminal', () => {
  it('writes one JSON log line per document and one per run on stderr, and the summary on stdout', () => {
    const r = run(['ingest']);
    expect(r.code).toBe(0);
    const files = HAS_SEED ? 3 : 2;
    expect(r.stdout).toMatch(/^digest ingest: run 1 finished in [\d.]+ s \(PGlite \.digest\/pglite\)\n/);
    const lines = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    const docs = lines.filter((l) => l.event === 'document');
    expect(docs).toHaveLength(files);
    for (const d of docs) {
      expect(d).toMatchObject({ level: 'info', cmd: 'ingest', runId: 1, status: 'loaded', files: { total: files } });
      expect(typeof d.ms).toBe('number');
      expect(Object.keys(d.entries)).toEqual(['read', 'new', 'updated', 'unchanged', 'duplicate', 'rejected']);
    }
    expect(docs.map((d) => d.files.done)).toEqual([...Array(files).keys()].map((i) => i + 1));
    const [end] = lines.filter((l) => l.event === 'run');
    expect(end).toMatchObject({ level: 'info', runId: 1, status: 'finished', files: { read: files, loaded: files, rejected: 0 } });
    expect(typeof end.durationMs).toBe('number');
    const e = end.entries;
    expect(r.stdout).toContain(`entries  ${e.read} read = ${e.new} new + ${e.updated} updated + ${e.unchanged} unchanged + ${e.duplicate} duplicate + ${e.rejected} rejected`);
    expect(docs.reduce((n, d) => n + d.entries.read, 0)).toBe(e.read);
  });
});

describe('digest runs', () => {
  it('lists the recent runs with status, duration and counts', () => {
    const r = run(['runs', '--limit', '5']);
    expect(r.code).toBe(0);
    const [header, row] = r.stdout.split('\n');
    expect(header).toMatch(/^run\s+status\s+started \(UTC\)\s+duration\s+files\s+entries\s+new\s+updated\s+unchanged\s+duplicate\s+rejected\s+paths$/);
    expect(row).toMatch(HAS_SEED ? /^\s*1\s+finished\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+[\d.]+ s\s+3\s+44\s+41\s+0\s+0\s+3\s+0\s+raw$/ : /^\s*1\s+finished\s.*\s2\s+13\s+11\s+0\s+0\s+2\s+0\s+raw$/);
  });

  it('shows one run with its documents, issues and counts', () => {
    const r = run(['runs', 'show', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^run 1 {2}finished {2}pipeline digest-pages\n/);
    expect(r.stdout).toContain('paths     raw\n');
    expect(r.stdout).toMatch(/\n {2}raw\/sample-digest-2023\.txt {2}loaded {2}10 entries {2}sha256 [0-9a-f]{12}/);
    expect(r.stdout).toMatch(new RegExp(`\\nissues\\n(\\s+\\d+ {2}\\S+\\n)*\\s+${HAS_SEED ? 3 : 2} {2}segment/chrome\\n`));
  });
});

describe('digest explain', () => {
  it.skipIf(!HAS_SEED)('shows the value, span and rule of every field of a seed entry, and its item', () => {
    const r = run(['explain', `${SEED}#3`]);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^entry raw\/digest-2022-09\.txt#3 -> item \d+, run 1\nlines 13-19 of raw\/digest-2022-09\.txt/);
    const expected: Array<[string, string, string, string]> = [
      ['title', 'USA. TAG – Treatment Action Group celebrates 30th anniversary', `${SEED}:13 "USA. TAG – Treatment Action Group celebrates 30th anniversary"`, 'title/first-line'],
      ['body', 'TAG was formed thirty years ago in January 1992', `${SEED}:13-19 "TAG was formed thirty years ago`, 'segment'],
      ['source', 'TAG', `${SEED}:19 "(TAG, USA, Juni 2022)"`, 'source/note'],
      ['country', 'US', `${SEED}:13 "USA."`, 'country/title-prefix'],
      ['date', '2022-06  (month)', `${SEED}:19 "Juni 2022"`, 'date/note'],
      ['language', 'en', `${SEED}:13 "TAG – Treatment Action Group celebrates`, 'language/franc'],
    ];
    for (const [field, value, span, rule] of expected) {
      const block = new RegExp(`^${field} +${esc(value)}.*\\n {10}span ${esc(span)}.*\\n {10}rule ${esc(rule)}$`, 'm');
      expect(out, field).toMatch(block);
    }
    for (const field of ['doi', 'pmid', 'pmcid']) expect(out).toMatch(new RegExp(`^${field} +- {2}\\(no rule found a value\\)$`, 'm'));
    expect(out).toMatch(/\nitem {6}\d+: this entry created it \(outcome new\)\n/);
    expect(out).toContain('diagnostics: none');
  });

  it('for a merged entry, names the item it was merged into, the rule, the similarity and its diagnostics', () => {
    const r = run(['explain', 'raw/sample-digest-2023.txt#8']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nmerged {4}into item \d+: Kanada\. Peer-run overdose prevention sites open in three more cities \(first seen at raw\/sample-digest-2023\.txt#1\)\n/);
    expect(r.stdout).toContain("why: repeated-title (a bare repeat of the item's title line), similarity 1.000, duplicate of raw/sample-digest-2023.txt#1 in the same run (outcome duplicate)");
    expect(r.stdout).toMatch(/A repeated title line; merged into raw\/sample-digest-2023\.txt#1\. \[dedupe\/repeated-title, info, run 1\]/);
  });

  it('exits 1 with a sentence when the entry does not exist', () => {
    const r = run(['explain', 'raw/sample-digest-2023.txt#99']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('digest explain: raw/sample-digest-2023.txt has no entry 99 (it has 10 entries: raw/sample-digest-2023.txt#1 to raw/sample-digest-2023.txt#10).\n');
  });
});

describe('digest sql', () => {
  it('prints a read-only query as a table', () => {
    const r = run(['sql', 'select id, status, files_read from runs order by id']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`id  status    files_read\n 1  finished  ${HAS_SEED ? '         3' : '         2'}\n(1 row)\n`);
  });

  it('refuses to write, and the data is unchanged', () => {
    const r = run(['sql', 'delete from entries']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('digest sql: the query was refused: cannot execute DELETE in a read-only transaction; digest sql only reads (use digest ingest, replay, merge or split to change data).\n');
  });
});

describe('quarantine and replay', () => {
  // A rule that fails on purpose: this pipeline file rejects entries over 300 characters.
  it('keeps the entries a rule rejected, with their text and reason', () => {
    writeFileSync(join(dir, 'tight.mts'), `import base from ${JSON.stringify(join(ROOT, 'pipelines/digest-pages.ts'))};\nexport default { ...base, name: 'tight', maxEntryChars: 300 };\n`);
    copyFileSync(join(ROOT, 'tests/fixtures/corpus/naloxone-2021.txt'), join(dir, 'pages-naloxone.txt'));
    const ingest = run(['ingest', '--pipeline', 'tight.mts', 'pages-naloxone.txt']);
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toContain('entries  13 read = 4 new + 0 updated + 0 unchanged + 0 duplicate + 9 rejected');
    expect(ingest.stdout).toContain('pages-naloxone.txt#1:3: The entry has 673 characters, more than the limit of 300. [entry/too-large]');
    const quarantined = run(['explain', 'pages-naloxone.txt#1']);
    expect(quarantined.stdout).toMatch(/^entry pages-naloxone\.txt#1: rejected \(not loaded\), run \d+\nreason {4}pages-naloxone\.txt:3: The entry has 673 characters, more than the limit of 300\. \[entry\/too-large\]\nquarantined text \(\d+ characters\): Schottland\. Take-home naloxone kits reach record numbers/);
  });

  it('replays them through the current parser: recovered where the configuration now allows, still rejected elsewhere', () => {
    // Raised part of the way: some recovered, the rest still rejected with today's reason.
    const partial = run(['replay', '--reason', 'entry/too-large', '--max-entry-chars', '500']);
    expect(partial.code).toBe(0);
    expect(partial.stdout).toMatch(/^digest replay: run (\d+) replayed 9 quarantined entries with reason entry\/too-large: 6 recovered, 3 still rejected/);
    expect(partial.stdout).toMatch(/\n {2}pages-naloxone\.txt#4 \[entry\/too-large\] -> item \d+ \(a new item\)\n/);
    expect(partial.stdout).toContain('  pages-naloxone.txt#1 [entry/too-large]: The entry has 673 characters, more than the limit of 500. [entry/too-large]');
  });

  it('recovers the rest once the failing rule is switched off, and never replays an entry twice', () => {
    // The default configuration (1,000,000 characters): the rest comes back.
    const rest = run(['replay']);
    expect(rest.code).toBe(0);
    expect(rest.stdout).toMatch(/^digest replay: run \d+ replayed 3 quarantined entries: 3 recovered, 0 still rejected/);
    const again = run(['replay']);
    expect(again.stdout).toMatch(/^digest replay: no quarantined entries to replay/);
  });

  it('loads a recovered entry into its original document, with its values, spans and rules', () => {
    const row = run(['sql', '--json', "select e.title, e.source, e.date, e.country, o.n, o.title_line, o.outcome from occurrences o join documents d on d.id = o.document_id join entries e on e.id = o.entry_id where d.path = 'pages-naloxone.txt' order by o.n"]);
    const rows = JSON.parse(row.stdout);
    expect(rows.map((x: { n: number }) => x.n)).toEqual([...Array(13).keys()].map((i) => i + 1));
    expect(rows[0]).toEqual({ title: 'Schottland. Take-home naloxone kits reach record numbers', source: 'Caledonian Recovery Network', date: '2021-07-14', country: 'GB', n: 1, title_line: 3, outcome: 'new' });
    const explained = run(['explain', 'pages-naloxone.txt#1']);
    expect(explained.stdout).toContain('          span pages-naloxone.txt:7 "(Caledonian Recovery Network, Schottland, 14.07.2021)"\n          rule source/note');
    expect(explained.stdout).toMatch(/The entry has 673 characters, more than the limit of 300\. \[entry\/too-large, error, run \d+\] \(recovered by replay run \d+\)/);
  });
});

describe('databases a command cannot use', () => {
  it('says which process holds the embedded database, and exits 1', () => {
    writeFileSync(join(dir, '.digest/pglite.lock'), `${process.pid}\n`);
    try {
      const r = run(['runs']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`digest runs: database in use by process ${process.pid} (lock file ${join(dir, '.digest/pglite.lock')}); wait for it to finish, or stop it, and run again.\n`);
    } finally {
      rmSync(join(dir, '.digest/pglite.lock'), { force: true });
    }
  });

  it('refuses a database migrated by a newer digest-etl, and exits 1', async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const pg = await PGlite.create(join(dir, '.digest/pglite'));
    await pg.query(`insert into drizzle.__drizzle_migrations (hash, created_at) values ('f00d', 4102444800000)`);
    await pg.close();
    const r = run(['runs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('digest runs: the database in .digest/pglite was migrated by a newer digest-etl (1 migration(s) up to 2100-01-01 that this version does not have); update digest-etl (git pull && npm ci) or point --db / DATABASE_URL at another database.\n');
  });
});

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe.runIf(process.env.TEST_DATABASE_URL)('on the PostgreSQL server (TEST_DATABASE_URL)', () => {
  it('quarantines, replays, explains and queries read-only the same way as on PGlite', async () => {
    const { serverTarget } = await import('../helpers/db.ts');
    const server = await serverTarget(process.env.TEST_DATABASE_URL!).open();
    await server.handle.close();
    const on = { DATABASE_URL: server.url! };
    try {
      writeFileSync(join(dir, 'tight.mts'), `import base from ${JSON.stringify(join(ROOT, 'pipelines/digest-pages.ts'))};\nexport default { ...base, name: 'tight', maxEntryChars: 300 };\n`);
      copyFileSync(join(ROOT, 'tests/fixtures/corpus/naloxone-2021.txt'), join(dir, 'pages-naloxone.txt'));
      const ingest = run(['ingest', '--pipeline', 'tight.mts', 'pages-naloxone.txt'], on);
      expect(ingest.code).toBe(0);
      expect(ingest.stdout).toContain('entries  13 read = 4 new + 0 updated + 0 unchanged + 0 duplicate + 9 rejected');
      const replay = run(['replay', '--json'], on);
      const result = JSON.parse(replay.stdout);
      expect(result.outcomes.filter((o: { status: string }) => o.status === 'recovered')).toHaveLength(9);
      const explained = run(['explain', 'pages-naloxone.txt#1'], on);
      expect(explained.stdout).toContain('          span pages-naloxone.txt:7 "(Caledonian Recovery Network, Schottland, 14.07.2021)"\n          rule source/note');
      const refused = run(['sql', 'update entries set title = title'], on);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('cannot execute UPDATE in a read-only transaction');
      const count = JSON.parse(run(['sql', '--json', 'select count(*)::int as n from occurrences'], on).stdout);
      expect(count).toEqual([{ n: 13 }]);
    } finally {
      await server.drop();
    }
  });
});
