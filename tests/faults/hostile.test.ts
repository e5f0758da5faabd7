/**
 * Hostile content through the whole pipeline into the database, on PGlite and (with
 * TEST_DATABASE_URL) the server: SQL-looking text, NUL bytes, lone surrogates (as UTF-8 bytes,
 * in UTF-16, as an HTML character reference), a 10 MB entry, 100,000 tiny entries in one file,
 * right-to-left and zero-width characters, emoji, titles of 5,000 characters. Each file is its
 * own run. Every row must equal what `digest parse` read from the file (or be a rejection with
 * the right code), no run may crash, and `digest verify` must pass afterwards.
 *
 * Reproduce: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_ci npx vitest run tests/faults/hostile.test.ts
 * DIGEST_FAULTS_TINY / DIGEST_FAULTS_TINY_PGLITE set the number of tiny entries (100,000 / 25,000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFiles } from '../../src/cli/parse.ts';
import { type DbHandle, rowsOf } from '../../src/db/client.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import type { RunResult } from '../../src/types.ts';
import { verifyDatabase } from '../../src/verify/verify.ts';
import { NOW } from '../helpers/paths.ts';
import { tempRoot } from './lib/harness.ts';
import { digestProc } from './lib/proc.ts';
import { type FreshDb, freshPglite, freshServerDb } from './lib/targets.ts';

const SERVER = process.env.TEST_DATABASE_URL;
/** Tiny entries in one file: 100,000 on the server; 25,000 on PGlite by default (100,000 take PGlite ~3 min and 2.3 GB here). */
const TINY = Number(process.env.DIGEST_FAULTS_TINY ?? 100_000);
const TINY_PGLITE = Number(process.env.DIGEST_FAULTS_TINY_PGLITE ?? 25_000);
const ctx = createContext({ now: NOW });
const page = (...texts: string[]) => `${['A- A A+', ...texts].join('\n\n\n')}\n`;

const SQL_TITLE = "Robert'); DROP TABLE entries; --";
const SQL_BODY = "Text with '); drop table entries; -- and $1 $$ \\x00 E'\\\\' /* c */ ; select pg_sleep(10); -- (Filter, USA, 12.05.2021)";
const RTL_TITLE = 'שלום עולם: הפחתת נזקים בעיר';
const RTL_BODY = 'مرحبا بالعالم، تقرير عن الحد من الضرر (Filter, USA, 12.05.2021)';
const ZW_TITLE = 'Zero\u200bwidth\u200d joiner\u200c title \u2067isolate\u2069 \u202eoverride\u202c and \u200e marks \u200f';
const ZW_BODY = 'Body with \ufeff a BOM inside and \u2060 a word joiner. (Filter, USA, 13.05.2021)';
const EMOJI_TITLE = 'Emoji 👨‍👩‍👧 family 🇩🇪 flag 👍🏽 thumbs and 𐍈 astral';
const EMOJI_BODY = 'Body 😀💩 with emoji everywhere 🧪💉. (Filter, USA, 12.05.2021)';

function wordsTitle(): string {
  const words = 'harm reduction naloxone programme outreach city report'.split(' ');
  let t = '';
  for (let i = 0; t.length < 5000; i++) t += `${words[i % words.length]}${i % 13} `;
  return `W${t.slice(0, 4999)}`;
}
function randomTitle(): string {
  let s = 1;
  let t = '';
  while (t.length < 5000) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    t += String.fromCharCode(97 + ((s >> 16) % 26));
    if ((s >> 8) % 7 === 0) t += ' ';
  }
  return `R${t.slice(0, 4999)}`;
}

/** The hostile files, written once. */
function writeFiles(dir: string): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const f = (name: string, data: string | Buffer) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  const utf8 = Buffer.from(page(`Surrogate title with emoji 😀 and ä umlaut\n\nBody with Grüße. (Filter, USA, 12.05.2021)`));
  const at = utf8.indexOf('umlaut') + 6;
  const utf16 = Buffer.from(`\ufeff${page('UTF-16 title here\n\nBody. (Filter, USA, 12.05.2021)')}`, 'utf16le');
  const bad16 = Buffer.concat([utf16.subarray(0, 20), Buffer.from([0x00, 0xd8]), utf16.subarray(20)]); // an unpaired U+D800
  const line = 'Lorem ipsum harm reduction text for a very large entry body that goes on and on.\n';
  return {
    sql: f('sql.txt', page(`${SQL_TITLE}\n\n${SQL_BODY}`, 'A normal title after the injection\n\nBody. (Filter, USA, 13.05.2021)')),
    nul: f('nul.txt', Buffer.concat([Buffer.from(page('Title before a NUL\n\nBody.')), Buffer.from([0]), Buffer.from('after\n')])),
    surrogateUtf8: f('surrogate-utf8.txt', Buffer.concat([utf8.subarray(0, at), Buffer.from([0xed, 0xa0, 0x80]), utf8.subarray(at)])),
    surrogateUtf16: f('surrogate-utf16.txt', bad16),
    entity: f('entity.html', '<html><body><p>Entity &#xD800; lone surrogate title</p><p>Body paragraph text. (Filter, USA, 12.05.2021)</p></body></html>\n'),
    rtl: f('rtl.txt', page(`${RTL_TITLE}\n\n${RTL_BODY}`, `${ZW_TITLE}\n\n${ZW_BODY}`)),
    emoji: f('emoji.txt', page(`${EMOJI_TITLE}\n\n${EMOJI_BODY}`)),
    longWords: f('long-title-words.txt', page(`${wordsTitle()}\n\nBody of the long title. (Filter, USA, 12.05.2021)`)),
    longRandom: f('long-title-random.txt', page(`${randomTitle()}\n\nBody of the random long title. (Filter, USA, 13.05.2021)`)),
    big: f('big.txt', page('Small entry before the big one\n\nBody. (Filter, USA, 11.05.2021)', `A ten megabyte entry\n\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))}`, 'Small entry after the big one\n\nBody. (Filter, USA, 13.05.2021)')),
    tiny: f('tiny.txt', `${Array.from({ length: TINY }, (_, i) => `Item ${i}`).join('\n\n\n')}\n`),
    tinyPglite: f('tiny-pglite.txt', `${Array.from({ length: TINY_PGLITE }, (_, i) => `Item ${i}`).join('\n\n\n')}\n`),
  };
}

const FIELDS = ['title', 'body', 'source', 'country', 'date', 'datePrecision', 'dateFlag', 'doi', 'pmid', 'pmcid', 'language'] as const;

/** What `digest parse` reads from each file (the same files serve both databases). */
const parsed = new Map<string, Promise<Awaited<ReturnType<typeof parseFiles>>>>();

/** Differences between the rows loaded from `path` and what `digest parse` reads from it. */
async function rowsVersusParse(h: DbHandle, path: string): Promise<{ loaded: number; rejected: number; mismatches: string[] }> {
  if (!parsed.has(path)) parsed.set(path, parseFiles([path], NOW));
  const { records } = await parsed.get(path)!;
  const occ = rowsOf<{ n: number; values: Record<string, unknown> }>(await h.db.execute(sql`
    select o.n, o.values from occurrences o join documents d on d.id = o.document_id where d.path = ${path} and d.latest`));
  const rejected = new Set(rowsOf<{ n: number }>(await h.db.execute(sql`
    select distinct x.n from diagnostics x join documents d on d.id = x.document_id where d.path = ${path} and x.n is not null and x.severity = 'error'`)).map((r) => r.n));
  const byN = new Map(occ.map((o) => [o.n, o.values]));
  const mismatches: string[] = [];
  for (const r of records) {
    const v = byN.get(r.n);
    if (!v) {
      if (!rejected.has(r.n)) mismatches.push(`${path}#${r.n}: read but neither loaded nor rejected`);
      continue;
    }
    for (const k of FIELDS) if (JSON.stringify(v[k] ?? null) !== JSON.stringify(r[k] ?? null)) mismatches.push(`${path}#${r.n} ${k}: stored ${JSON.stringify(v[k]).slice(0, 80)}, read ${JSON.stringify(r[k]).slice(0, 80)}`);
  }
  if (records.length !== occ.length + rejected.size) mismatches.push(`${path}: ${records.length} entries read, ${occ.length} loaded + ${rejected.size} rejected`);
  return { loaded: occ.length, rejected: rejected.size, mismatches: mismatches.slice(0, 10) };
}

async function one<T>(h: DbHandle, q: ReturnType<typeof sql>): Promise<T> {
  return rowsOf<T>(await h.db.execute(q))[0]!;
}

const targets = [{ name: 'PGlite', server: false }, ...(SERVER ? [{ name: 'PostgreSQL server', server: true }] : [])];
let shared: Record<string, string> | null = null;
let files: Record<string, string>;

describe.each(targets)('hostile content into $name', ({ server }) => {
  const root = tempRoot(server ? 'hostile-server' : 'hostile-pglite');
  let db: FreshDb;
  let h: DbHandle;
  const results = new Map<string, RunResult | Error>();

  async function ingest(key: string): Promise<RunResult | Error> {
    const r = await runIngest(h, [files[key]!], ctx).catch((e: Error) => e);
    results.set(key, r);
    return r;
  }
  const finished = (r: RunResult | Error | undefined): RunResult => {
    if (!r || r instanceof Error) throw new Error(`the run failed: ${String((r as Error)?.message).slice(0, 500)}`);
    expect(r.status).toBe('finished');
    return r;
  };

  beforeAll(async () => {
    files = shared ??= writeFiles(join(tempRoot('hostile'), 'hostile'));
    db = server ? await freshServerDb(SERVER!, 'hostile') : freshPglite(root, 'db');
    h = await db.open();
  }, 120_000);
  afterAll(async () => {
    await h?.close().catch(() => {});
    await db?.drop().catch(() => {});
  });

  it('stores SQL-looking text verbatim, and the tables are still there', async () => {
    finished(await ingest('sql'));
    const check = await rowsVersusParse(h, files.sql!);
    expect(check.mismatches).toEqual([]);
    expect(check.loaded).toBe(2);
    const row = await one<{ title: string; body: string }>(h, sql`select title, body from entries where title = ${SQL_TITLE}`);
    expect(row).toEqual({ title: SQL_TITLE, body: SQL_BODY });
  });

  it('rejects a file with a NUL byte as read/binary, with its reason recorded', async () => {
    const r = finished(await ingest('nul'));
    expect(r.counts.filesRejected).toBe(1);
    expect(r.rejections.map((x) => x.code)).toEqual(['read/binary']);
    const d = await one<{ code: string; status: string }>(h, sql`select x.code, d.status from diagnostics x join documents d on d.id = x.document_id where x.file = ${files.nul!}`);
    expect(d).toEqual({ code: 'read/binary', status: 'rejected' });
  });

  it('rejects UTF-16 with a lone surrogate as read/invalid-utf8', async () => {
    const r = finished(await ingest('surrogateUtf16'));
    expect(r.rejections.map((x) => x.code)).toEqual(['read/invalid-utf8']);
  });

  it('turns a lone surrogate written as an HTML character reference into U+FFFD', async () => {
    finished(await ingest('entity'));
    expect((await rowsVersusParse(h, files.entity!)).mismatches).toEqual([]);
    const row = await one<{ title: string }>(h, sql`select title from entries where title like 'Entity %'`);
    expect(row.title).toBe('Entity \ufffd lone surrogate title');
  });

  it('loads a UTF-8 file holding a lone surrogate\'s bytes (ED A0 80): U+FFFD for them, every other character kept, with a warning', async () => {
    const r = finished(await ingest('surrogateUtf8'));
    expect(r.issues['read/invalid-utf8-replaced']).toBe(1);
    expect(r.issues['read/decoded-legacy']).toBeUndefined();
    expect((await rowsVersusParse(h, files.surrogateUtf8!)).mismatches).toEqual([]);
    const row = await one<{ title: string; body: string }>(h, sql`select title, body from entries where title like 'Surrogate title%'`);
    expect(row.title).toContain('😀');
    expect(row.body).toContain('Grüße');
  });

  it('stores right-to-left, bidi-control and zero-width characters exactly as read', async () => {
    finished(await ingest('rtl'));
    expect((await rowsVersusParse(h, files.rtl!)).mismatches).toEqual([]);
    expect(await one(h, sql`select title, body from entries where title = ${RTL_TITLE}`)).toEqual({ title: RTL_TITLE, body: RTL_BODY });
    expect(await one(h, sql`select title, body from entries where title = ${ZW_TITLE}`)).toEqual({ title: ZW_TITLE, body: ZW_BODY });
  });

  it('stores emoji (ZWJ sequences, flags, skin tones, astral letters) exactly as read', async () => {
    finished(await ingest('emoji'));
    expect((await rowsVersusParse(h, files.emoji!)).mismatches).toEqual([]);
    expect(await one(h, sql`select title, body from entries where title = ${EMOJI_TITLE}`)).toEqual({ title: EMOJI_TITLE, body: EMOJI_BODY });
  });

  it('loads a 5,000-character title of repeated words whole', async () => {
    finished(await ingest('longWords'));
    expect((await rowsVersusParse(h, files.longWords!)).mismatches).toEqual([]);
    expect(await one(h, sql`select length(title)::int as n from entries where title like 'Wharm0%'`)).toEqual({ n: 5000 });
  });

  // A 5,000-character title that does not compress (random letters) once made the natural
  // key longer than a btree entry may be; keys are now bounded (src/dedupe/keys.ts boundKey).
  it('loads or rejects (with a code) a 5,000-character title of random letters, and the run finishes', async () => {
    const r = finished(await ingest('longRandom'));
    const check = await rowsVersusParse(h, files.longRandom!);
    expect(check.mismatches).toEqual([]);
    expect(r.counts.entriesRead).toBe(1);
  });

  // A document whose load the database refuses (here a trigger stands in for any server-side
  // error): the one-line error gives the file, the database's reason and SQLSTATE, not
  // drizzle's "Failed query: ... params: [...]" with every value of the statement (it once ran
  // to 131 KB and hid the reason).
  it('reports a failed load as one short sentence with the database\'s reason', async () => {
    const many = Array.from({ length: 200 }, (_, k) => `${k === 150 ? 'Trigger me' : `Ordinary item ${k}`} about naloxone distribution\n\nA body of text for entry ${k} that is long enough. (Filter, USA, 12.05.2021)`);
    const file = join(root, 'fails-on-load.txt');
    writeFileSync(file, page(...many));
    await h.db.execute(sql.raw(`create function digest_test_refuse() returns trigger language plpgsql as $$
      begin if new.title like 'Trigger me%' then raise exception 'the database refused this row (a test trigger)'; end if; return new; end $$`));
    await h.db.execute(sql.raw('create trigger digest_test_refuse before insert on entries for each row execute function digest_test_refuse()'));
    await h.close(); // the CLI needs the PGlite lock
    const r = await digestProc(['ingest', '--quiet', ...db.args, file], { cwd: root, env: db.env }).finally(async () => {
      h = await db.open();
      await h.db.execute(sql.raw('drop trigger digest_test_refuse on entries'));
      await h.db.execute(sql.raw('drop function digest_test_refuse()'));
    });
    expect(r.stderr).not.toContain('database in use');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('fails-on-load.txt');
    expect(r.stderr).toContain('the database refused this row (a test trigger) (SQLSTATE P0001)');
    expect(r.stderr).not.toMatch(/Failed query|params:/);
    expect(r.stderr.length).toBeLessThan(1000);
    const [run] = rowsOf<{ status: string; error: string }>(await h.db.execute(sql`select status, error from runs order by id desc limit 1`));
    expect(run!.status).toBe('failed');
    expect(run!.error).toContain('(SQLSTATE P0001)');
    expect(run!.error.length).toBeLessThan(1000);
  }, 120_000);

  it('rejects a 10 MB entry as entry/too-large (raw text kept) and loads the entries around it', async () => {
    const r = finished(await ingest('big'));
    expect(r.counts).toMatchObject({ entriesRead: 3, entriesNew: 2, entriesRejected: 1 });
    expect(r.rejections.map((x) => [x.n, x.code])).toEqual([[2, 'entry/too-large']]);
    const check = await rowsVersusParse(h, files.big!);
    expect(check).toEqual({ loaded: 2, rejected: 1, mismatches: [] });
    const raw = await one<{ n: number }>(h, sql`select length(raw)::int as n from diagnostics where code = 'entry/too-large'`);
    expect(raw.n).toBeGreaterThan(10_000_000);
  }, 120_000);

  it('passes digest verify afterwards (the CLI), every run adding up', async () => {
    const report = await verifyDatabase(h.db);
    expect(report.problems).toEqual([]);
    await h.close();
    const v = await digestProc(['verify', ...db.args], { cwd: root, env: db.env });
    h = await db.open();
    expect(v.stdout).toMatch(/^verify: \d+ checks passed/);
    expect(v.code).toBe(0);
  }, 120_000);
});

describe('one file of tiny entries, both databases at once', () => {
  for (const { name, server } of targets) {
    const n = server ? TINY : TINY_PGLITE;
    it.concurrent(`${name}: loads ${n.toLocaleString('en')} tiny entries of one file, each as read, and digest verify passes`, async () => {
      files = shared ??= writeFiles(join(tempRoot('hostile'), 'hostile'));
      const path = server ? files.tiny! : files.tinyPglite!;
      const root = tempRoot(server ? 'tiny-server' : 'tiny-pglite');
      const db = server ? await freshServerDb(SERVER!, 'tiny') : freshPglite(root, 'db');
      try {
        // The real CLI, in its own process (so the two databases load at the same time).
        const r = await digestProc(['ingest', '--json', ...db.args, path], { cwd: root, env: db.env, timeoutMs: 900_000 });
        expect(r.code, r.stderr.slice(-1000)).toBe(0);
        const result = JSON.parse(r.stdout) as RunResult;
        expect(result.counts).toMatchObject({ entriesRead: n, entriesNew: n, entriesRejected: 0 });
        const h = await db.open();
        try {
          expect(await rowsVersusParse(h, path)).toEqual({ loaded: n, rejected: 0, mismatches: [] });
          expect((await verifyDatabase(h.db)).problems).toEqual([]);
        } finally {
          await h.close();
        }
      } finally {
        await db.drop();
      }
    }, 900_000);
  }
});
