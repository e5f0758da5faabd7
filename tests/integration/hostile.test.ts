import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { diagnostics, documents, entries, runs } from '../../src/db/schema.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { DEFAULT_MAX_FILE_BYTES, readInput } from '../../src/read/files.ts';
import type { RunResult } from '../../src/types.ts';
import { digest } from '../helpers/cli.ts';
import { dbTargets } from '../helpers/db.ts';
import { NOW, ROOT } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });
const MiB = 1024 * 1024;
/** Root reads files of mode 000; the unreadable case then needs another user (see below). */
const IS_ROOT = process.getuid?.() === 0;
const NOBODY = 65534;
const HAS_MKFIFO = spawnSync('mkfifo', ['--version']).status === 0;

/** Text that appears only inside scripts, event-handler attributes and other never-content. */
const HOSTILE_MARKERS = [
  'XSS_HEAD_SCRIPT', 'XSS_INLINE_SCRIPT', 'XSS_ONCLICK', 'XSS_ONERROR', 'XSS_ONMOUSEOVER', 'XSS_BODY_ONLOAD',
  'XSS_JS_HREF', 'XSS_DATA_HREF', 'XSS_SVG_ONLOAD', 'XSS_SVG_SCRIPT', 'XSS_IFRAME', 'XSS_STYLE', 'XSS_NOSCRIPT', 'XSS_TEMPLATE',
];
/** A PostgreSQL regex matching any marker or the shape of script/handler markup. */
const HOSTILE_RE = `(${HOSTILE_MARKERS.join('|')}|<script|javascript:|\\mon(click|error|load|mouseover)\\s*=)`;

const SCRIPT_PAGE = `<!doctype html>
<html><head><title>XSS_HEAD_SCRIPT page</title><script>alert("XSS_HEAD_SCRIPT")</script>
<style>body { background: url("javascript:XSS_STYLE") }</style></head>
<body onload="alert('XSS_BODY_ONLOAD')"><main>
<h2 onclick="alert('XSS_ONCLICK')">Germany. Safe consumption room opens <img src="x.png" onerror="alert('XSS_ONERROR')">in Kiel</h2>
<p onmouseover="steal('XSS_ONMOUSEOVER')">The room opens on weekdays from noon. <script>document.write("XSS_INLINE_SCRIPT")</script>Peer workers staff
every shift; see <a href="javascript:alert('XSS_JS_HREF')">the timetable</a>, the <a href="data:text/html,<script>XSS_DATA_HREF</script>">flyer</a>
and <a href="https://example.org/kiel">the city page</a>. (Stadt Kiel, Deutschland, 05.02.2024)</p>
<noscript>XSS_NOSCRIPT</noscript><template><p>XSS_TEMPLATE</p></template>
<svg onload="alert('XSS_SVG_ONLOAD')"><script>XSS_SVG_SCRIPT</script></svg>
<iframe src="javascript:alert('XSS_IFRAME')"></iframe>
</main></body></html>
`;

/** Nesting depth of the deep page. */
const DEPTH = 10_000;
const DEEP_PAGE =
  `<!doctype html><html><body>${'<div>'.repeat(DEPTH)}` +
  '<p>Germany. A page nested ten thousand levels deep</p>' +
  '<p>Its one entry is still read, without recursion. (Netzwerk Naloxon, Deutschland, 01.02.2024)</p>' +
  `${'</div>'.repeat(DEPTH)}</body></html>`;

/** One digest entry, repeated to make the 50 MB file: it looks like a real (if long) page. */
const REPEATED_ENTRY =
  'Germany. Take-home naloxone project trains another group\n\n' +
  'Staff of low-threshold services trained people who use opioids to recognise an overdose. ' +
  '(Netzwerk Naloxon, Deutschland, 14.03.2024)\n\n\n';

/** What each hostile input must give: its code, and whether it rejects the file, an entry, or only warns. */
interface Case {
  name: string;
  code: string;
  level: 'file' | 'entry' | 'warning';
  /** Words the reason must contain. */
  says: string[];
}

function cases(withLocked: boolean, withFifo: boolean): Case[] {
  const all: Case[] = [
    { name: 'picture.txt', code: 'read/binary', level: 'file', says: ['PNG image'] },
    { name: 'nul.txt', code: 'read/binary', level: 'file', says: ['NUL byte at offset'] },
    { name: 'not-utf8.txt', code: 'read/invalid-utf8', level: 'file', says: ['not valid UTF-8', 'offset'] },
    { name: 'huge.txt', code: 'read/too-large', level: 'file', says: ['50 MiB', '20 MiB', 'not read', 'maxFileBytes', 'DIGEST_MAX_FILE_BYTES', '--max-file-bytes'] },
    { name: 'one-line.txt', code: 'entry/too-large', level: 'entry', says: ['5242880 characters', 'limit'] },
    { name: 'empty.txt', code: 'read/empty', level: 'file', says: ['is empty'] },
    { name: 'blank.txt', code: 'read/empty', level: 'file', says: ['only white space'] },
    { name: 'deep.html', code: 'read/html-deep-nesting', level: 'warning', says: ['nested', 'text kept'] },
    { name: 'nested/up', code: 'read/unreadable', level: 'file', says: ['symbolic link loop'] },
    { name: 'no-such-page.txt', code: 'read/not-found', level: 'file', says: ['does not exist'] },
  ];
  if (withFifo) all.push({ name: 'pipe.txt', code: 'read/unreadable', level: 'file', says: ['named pipe', 'not read'] });
  if (withLocked) all.push({ name: 'locked.txt', code: 'read/unreadable', level: 'file', says: ['EACCES', 'permission denied'] });
  return all;
}

/**
 * A temporary folder `in/` with one good digest page (the 8-entry format fixture) and every
 * hostile input. `no-such-page.txt` is not created: it is the path that does not exist.
 */
function makeHostileFolder(opts: { locked: boolean }): { root: string; dir: string } {
  const root = mkdtempSync(join(tmpdir(), 'digest-hostile-'));
  const dir = join(root, 'in');
  mkdirSync(join(dir, 'nested'), { recursive: true });
  copyFileSync(join(ROOT, 'tests/fixtures/formats/page.txt'), join(dir, 'good.txt'));
  // A PNG (signature and IHDR chunk) named .txt.
  writeFileSync(join(dir, 'picture.txt'), Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'));
  writeFileSync(join(dir, 'nul.txt'), 'Germany. A page with a NUL byte\n\nIts body has a \u0000 in the middle.\n');
  // High bytes that break UTF-8 and are far too many to be Windows-1252 text.
  const noise = Buffer.from(Array.from({ length: 4096 }, (_, i) => 0x80 + ((i * 37) % 128)));
  writeFileSync(join(dir, 'not-utf8.txt'), Buffer.concat([Buffer.from('Germany. Title\n\n'), noise]));
  // 50 MiB of repeated digest entries, written without ever holding a 50 MB string.
  writeFileSync(join(dir, 'huge.txt'), Buffer.alloc(50 * MiB, REPEATED_ENTRY));
  // One line of 5 MiB (no newline at all).
  writeFileSync(join(dir, 'one-line.txt'), Buffer.alloc(5 * MiB, 'Harm reduction saves lives. '));
  writeFileSync(join(dir, 'empty.txt'), '');
  writeFileSync(join(dir, 'blank.txt'), ' \t \r\n\n   \n\u00a0\u2003\n\n');
  writeFileSync(join(dir, 'deep.html'), DEEP_PAGE);
  writeFileSync(join(dir, 'script.html'), SCRIPT_PAGE);
  // A link to its own parent: in/nested/up -> in/ (a loop inside the input folder).
  symlinkSync('..', join(dir, 'nested', 'up'));
  if (HAS_MKFIFO) spawnSync('mkfifo', [join(dir, 'pipe.txt')]);
  if (opts.locked) {
    writeFileSync(join(dir, 'locked.txt'), 'Germany. A page nobody may read\n\nIts body. (Netzwerk Naloxon, Deutschland, 01.02.2024)\n');
    chmodSync(join(dir, 'locked.txt'), 0o000);
  }
  return { root, dir };
}

function accountingHolds(c: RunResult['counts']): boolean {
  return c.entriesRead === c.entriesNew + c.entriesUpdated + c.entriesUnchanged + c.entriesDuplicate + c.entriesRejected;
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as T[];
}

const GOOD_TITLES = [
  'Germany. Take-home naloxone project trains its 5,000th participant',
  'Drug-Checking in Thüringen: erste Bilanz des Modellprojekts',
  'Kanada. Harbour Street Outreach – zehn Jahre Konsumraum am Hafen',
  'Peer navigation and hepatitis C treatment among people who inject drugs: a cluster-randomised trial',
  'Netzwerk Schadensminderung. Peer work in practice: three short reports',
  'UK. Mobile needle and syringe service extends its evening hours',
  'Österreich. Substitutionsbehandlung: neue Leitlinie veröffentlicht',
  'DUVN. Community-led monitoring of stigma in health settings',
];

// In this process the locked file is unreadable only when the tests do not run as root; as root
// it is proven by the child process run as another user (last describe).
const LOCKED_IN_PROCESS = !IS_ROOT;
const CASES = cases(LOCKED_IN_PROCESS, HAS_MKFIFO);
const FILE_REJECTIONS = CASES.filter((c) => c.level === 'file');
let folder: { root: string; dir: string };

beforeAll(() => {
  folder = makeHostileFolder({ locked: LOCKED_IN_PROCESS });
});
afterAll(() => {
  if (folder) rmSync(folder.root, { recursive: true, force: true });
});

describe.each(dbTargets())('an ingest of one good page and every hostile input into $name', (target) => {
  let handle: DbHandle;
  let drop: () => Promise<void>;
  let result: RunResult;
  const path = (name: string) => join(folder.dir, name);

  beforeAll(async () => {
    const opened = await target.open();
    handle = opened.handle;
    drop = opened.drop;
    result = await runIngest(handle, [folder.dir, path('no-such-page.txt')], ctx);
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await drop?.();
  });

  it('finishes, and loads all eight entries of the good page', async () => {
    expect(result.status).toBe('finished');
    const [doc] = await handle.db.select().from(documents).where(eq(documents.path, path('good.txt')));
    expect(doc).toMatchObject({ status: 'loaded', entryCount: 8, format: 'text', encoding: 'utf-8' });
    const titles = (await handle.db.select({ title: entries.title }).from(entries)).map((r) => r.title);
    expect(titles).toEqual(expect.arrayContaining(GOOD_TITLES));
    expect(result.rejections.filter((r) => r.file === path('good.txt'))).toEqual([]);
  });

  it.each(CASES)('reports $name with $code, in the result and as a diagnostics row of the run', async ({ name, code, level, says }) => {
    const file = path(name);
    const stored = await handle.db.select().from(diagnostics).where(sql`${diagnostics.file} = ${file} and ${diagnostics.code} = ${code}`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.runId).toBe(result.runId);
    for (const words of says) expect(stored[0]!.message).toContain(words);
    const listed = result.rejections.filter((r) => r.file === file);
    if (level === 'warning') {
      expect(listed).toEqual([]);
      expect(stored[0]!.severity).toBe('warning');
    } else {
      expect(listed).toEqual([expect.objectContaining({ code, n: level === 'entry' ? 1 : null })]);
      expect(stored[0]!.severity).toBe('error');
    }
  });

  it('counts every rejected file in the runs row, which matches the result, and the accounting identity holds', async () => {
    const [row] = await handle.db.select().from(runs).where(eq(runs.id, result.runId));
    expect(row).toMatchObject({ status: 'finished', ...result.counts });
    expect(result.counts.filesRejected).toBe(FILE_REJECTIONS.length);
    // good, one-line, deep and script are read; every other path is a rejected file.
    expect(result.counts.filesRead).toBe(FILE_REJECTIONS.length + 4);
    // 8 good + the 5 MB line (rejected) + the deep page's entry + the script page's entry.
    expect(result.counts).toMatchObject({ entriesRead: 11, entriesNew: 10, entriesRejected: 1, entriesDuplicate: 0 });
    expect(accountingHolds(result.counts)).toBe(true);
    expect(accountingHolds(row!)).toBe(true);
    const errors = await handle.db.select().from(diagnostics).where(sql`${diagnostics.runId} = ${result.runId} and ${diagnostics.severity} = 'error'`);
    expect(errors.map((d) => `${d.file} ${d.code}`).sort()).toEqual(CASES.filter((c) => c.level !== 'warning').map((c) => `${path(c.name)} ${c.code}`).sort());
    expect(result.rejections).toHaveLength(FILE_REJECTIONS.length + 1);
  });

  it('rejects the 50 MB file from its size alone: no content hash, no document row', async () => {
    const huge = result.rejections.find((r) => r.file === path('huge.txt'))!;
    expect(huge.message).toContain(`${DEFAULT_MAX_FILE_BYTES} bytes`);
    expect(await handle.db.select().from(documents).where(eq(documents.path, path('huge.txt')))).toEqual([]);
    const [d] = await handle.db.select().from(diagnostics).where(eq(diagnostics.file, path('huge.txt')));
    expect(d!.data).toEqual({ bytes: 50 * MiB, limit: DEFAULT_MAX_FILE_BYTES });
  });

  it('reads the page nested 10,000 levels deep: its entry is loaded and the depth is reported', async () => {
    const [doc] = await handle.db.select().from(documents).where(eq(documents.path, path('deep.html')));
    expect(doc).toMatchObject({ status: 'loaded', entryCount: 1, format: 'html' });
    const [warning] = await handle.db.select().from(diagnostics).where(sql`${diagnostics.file} = ${path('deep.html')} and ${diagnostics.code} = 'read/html-deep-nesting'`);
    expect((warning!.data as { depth: number }).depth).toBeGreaterThanOrEqual(DEPTH);
    const [entry] = await handle.db.select().from(entries).where(eq(entries.title, 'Germany. A page nested ten thousand levels deep'));
    expect(entry).toMatchObject({ country: 'DE', source: 'Netzwerk Naloxon', date: '2024-02-01' });
  });

  it('keeps the 5 MB line as a rejected entry of a loaded document, with its size in the reason', async () => {
    const [doc] = await handle.db.select().from(documents).where(eq(documents.path, path('one-line.txt')));
    expect(doc).toMatchObject({ status: 'loaded', bytes: 5 * MiB });
    expect(await handle.db.select().from(entries).where(sql`length(${entries.title}) > 100000`)).toEqual([]);
  });

  it('loads the visible text of the page with scripts and event handlers, and keeps its safe link', async () => {
    const [entry] = await handle.db.select().from(entries).where(eq(entries.title, 'Germany. Safe consumption room opens in Kiel'));
    expect(entry).toBeDefined();
    expect(entry!.body).toContain('The room opens on weekdays from noon. Peer workers staff');
    expect(entry).toMatchObject({ source: 'Stadt Kiel', country: 'DE', date: '2024-02-05' });
  });

  it('carries no script text, event-handler attribute or javascript: URL into any text column of any table', async () => {
    const columns = rowsOf<{ table_name: string; column_name: string }>(
      await handle.db.execute(sql`
        select table_name, column_name from information_schema.columns
        where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
        order by table_name, column_name`),
    );
    expect(columns.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['entries.body', 'entries.title', 'occurrences.values', 'diagnostics.message', 'diagnostics.raw']));
    const hits: string[] = [];
    for (const { table_name: t, column_name: c } of columns) {
      const [row] = rowsOf<{ n: number | string }>(await handle.db.execute(sql`select count(*) as n from ${sql.identifier(t)} where ${sql.identifier(c)}::text ~* ${HOSTILE_RE}`));
      if (Number(row!.n) > 0) hits.push(`${t}.${c}: ${row!.n}`);
    }
    expect(hits).toEqual([]);
  });
});

/**
 * `digest ingest` through the binary, in a child process measured by /usr/bin/time -v (or,
 * without it, by the child's own process.resourceUsage()). As root the child runs as `nobody`
 * (uid 65534), so the mode-000 file really is unreadable to it; the folder is the same set of
 * hostile inputs plus that file. The embedded database (PGlite) is created first by
 * `digest migrate`: creating a PGlite database runs initdb, whose peak (about 1 GB of RSS on
 * its own, whatever the input) is a one-time cost of the database, not of an ingest.
 */
describe('digest ingest of the hostile folder, run as an unprivileged user in a child process', () => {
  const TIME = '/usr/bin/time';
  type ChildRun = { code: number | null; stdout: string; stderr: string; maxRssKb: number };
  let migrate: ChildRun;
  let ingest: ChildRun & { result: RunResult | null };
  let dir: string;
  let root: string;

  beforeAll(() => {
    ({ root, dir } = makeHostileFolder({ locked: true }));
    // The database folder (and its lock file beside it) lives in a folder the child owns.
    const work = join(root, 'work');
    mkdirSync(work);
    const db = join(work, 'pglite');
    const asNobody = IS_ROOT ? { uid: NOBODY, gid: NOBODY } : {};
    if (IS_ROOT) {
      // mkdtemp makes 0700 folders: let the other user in, and let it write its database.
      chmodSync(root, 0o755);
      chownSync(work, NOBODY, NOBODY);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: work };
    for (const k of ['DATABASE_URL', 'DIGEST_DB_DIR', 'DIGEST_MAX_FILE_BYTES', 'DIGEST_PIPELINE']) delete env[k];
    // The other user must reach bin/digest.js and everything it loads. When the clone sits
    // below a folder it cannot enter (mkdtemp makes 0700 folders), give it a hard-linked copy
    // of the repository in a folder it can enter (hard links cost no copying).
    const reachable = !IS_ROOT || spawnSync('test', ['-r', join(ROOT, 'bin/digest.js')], { ...asNobody }).status === 0;
    let repo = ROOT;
    if (!reachable) {
      const copy = mkdtempSync(join(tmpdir(), 'digest-repo-'));
      chmodSync(copy, 0o755);
      const cp = spawnSync('cp', ['-al', ...['bin', 'src', 'pipelines', 'migrations', 'node_modules', 'package.json'].map((f) => join(ROOT, f)), copy]);
      if (cp.status !== 0) throw new Error(`cannot make a copy of the repository the unprivileged user can read: ${cp.stderr}`);
      spawnSync('chmod', ['-R', 'a+rX', copy]);
      repo = copy;
    }
    const child = (args: string[]): ChildRun => {
      const script = join(repo, 'bin/digest.js');
      const opts = { cwd: work, env, encoding: 'utf8' as const, timeout: 150_000, maxBuffer: 64 * MiB, ...asNobody };
      const r = existsSync(TIME)
        ? spawnSync(TIME, ['-v', process.execPath, script, ...args], opts)
        : spawnSync(
            process.execPath,
            ['--input-type=module', '-e', `process.on('exit', () => process.stderr.write('Maximum resident set size (kbytes): ' + process.resourceUsage().maxRSS + '\\n')); process.argv.splice(1, 0, ${JSON.stringify(script)}); await import(${JSON.stringify(`file://${script}`)});`, ...args],
            opts,
          );
      const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '');
      return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', maxRssKb: rss ? Number(rss[1]) : NaN };
    };
    migrate = child(['migrate', '--db', db]);
    const r = child(['ingest', '--json', '--db', db, dir]);
    let result: RunResult | null = null;
    try {
      result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as RunResult;
    } catch {
      result = null;
    }
    ingest = { ...r, result };
    console.info(
      `peak RSS: digest migrate (creates the PGlite database) ${(migrate.maxRssKb / 1024).toFixed(0)} MiB; ` +
        `digest ingest of the hostile folder ${(ingest.maxRssKb / 1024).toFixed(0)} MiB`,
    );
  }, 240_000);
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('exits 0 and loads the good page while rejecting every hostile file', () => {
    expect(migrate.code, migrate.stderr.slice(-2000)).toBe(0);
    expect(ingest.code, ingest.stderr.slice(-2000)).toBe(0);
    expect(ingest.result).not.toBeNull();
    const r = ingest.result!;
    expect(r.status).toBe('finished');
    // The CLI refuses a missing path given on the command line, so only the folder is given here.
    const expected = cases(true, HAS_MKFIFO).filter((c) => c.level !== 'warning' && c.name !== 'no-such-page.txt');
    expect(r.rejections.map((x) => `${x.file} ${x.code}`).sort()).toEqual(expected.map((c) => `${join(dir, c.name)} ${c.code}`).sort());
    expect(r.counts).toMatchObject({ filesRejected: expected.length - 1, entriesRead: 11, entriesNew: 10, entriesRejected: 1 });
    expect(accountingHolds(r.counts)).toBe(true);
  });

  it('names the file unreadable for permissions with read/unreadable and the system error', () => {
    const locked = ingest.result?.rejections.find((x) => x.file === join(dir, 'locked.txt'));
    expect(locked).toMatchObject({ code: 'read/unreadable', message: expect.stringContaining('EACCES') });
  });

  it('stays below 1 GB of memory for the whole ingest, the 50 MB file included', () => {
    expect(ingest.code).toBe(0);
    expect(ingest.result?.rejections).toContainEqual(expect.objectContaining({ file: join(dir, 'huge.txt'), code: 'read/too-large' }));
    expect(ingest.maxRssKb).toBeGreaterThan(0);
    expect(ingest.maxRssKb * 1024).toBeLessThan(1024 ** 3);
  });
});

/** Bytes this process has read through read(2) and friends so far (Linux), or null. */
function bytesReadSoFar(): number | null {
  try {
    const m = /^rchar:\s*(\d+)/m.exec(readFileSync('/proc/self/io', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

describe('a file over the size limit', () => {
  it.skipIf(bytesReadSoFar() === null)('is rejected from its size alone: the process reads almost none of its 50 MB', async () => {
    const before = bytesReadSoFar()!;
    const r = await readInput(join(folder.dir, 'huge.txt'));
    const read = bytesReadSoFar()! - before;
    expect(r.ok).toBe(false);
    expect(!r.ok && r.rejected.reason.code).toBe('read/too-large');
    expect(read).toBeLessThan(MiB);
  });

  it('is read when the limit is raised above its size (the limit is the only reason)', async () => {
    const r = await readInput(join(folder.dir, 'one-line.txt'), 4 * MiB);
    expect(!r.ok && r.rejected.reason.message).toContain('raise maxFileBytes to at least 5242880');
    const ok = await readInput(join(folder.dir, 'one-line.txt'), 6 * MiB);
    expect(ok.ok && ok.doc.bytes).toBe(5 * MiB);
  });
});

describe('the size limit in digest parse', () => {
  // `digest parse` takes the same configuration as `digest ingest`.
  it('honours DIGEST_MAX_FILE_BYTES as digest ingest does', () => {
    const r = digest(['parse', join(ROOT, 'tests/fixtures/formats/page.txt')], { env: { DIGEST_MAX_FILE_BYTES: '1000' } });
    expect(r.stderr).toContain('[read/too-large]');
    expect(r.stdout).toBe('');
  });
});
