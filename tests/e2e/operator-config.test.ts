import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CliRun } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';
import { digestAsync, LOCAL } from './operator-helpers.ts';

// Commands that need no database: started side by side in beforeAll (each start costs seconds),
// then asserted one by one.
let dir: string;
const runs: Record<string, Promise<CliRun>> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'digest-operator-config-'));
  mkdirSync(join(dir, 'pipelines'));
  writeFileSync(
    join(dir, 'pipelines', 'bad.mts'),
    `export default { name: 'bad', languages: ['en', 'de', 'xx'], langauges: ['en'], languageMargin: 1.5 };\n`,
  );
  const at = { cwd: dir, env: { ...LOCAL } };
  runs.config = digestAsync(['config', '--json', '--max-entry-chars', '5000'], { cwd: dir, env: { ...LOCAL, DIGEST_LANGUAGES: 'en,de' } });
  runs.configText = digestAsync(['config'], { cwd: dir, env: { ...LOCAL, DIGEST_LANGUAGES: 'en,de' } });
  runs.bad = digestAsync(['config', '--pipeline', 'pipelines/bad.mts'], at);
  runs.badEnv = digestAsync(['ingest', '--languages', 'en,klingon'], at);
  runs.missingPipeline = digestAsync(['config', '--pipeline', 'nope.ts'], at);
  runs.studio = digestAsync(['studio', '--print'], at);
  runs.studioServer = digestAsync(['studio', '--print'], { cwd: dir, env: { ...LOCAL, DATABASE_URL: 'postgres://digest:s3cretpass@127.0.0.1:5432/digest' } });
  runs.badFlag = digestAsync(['runs', '--frobnicate'], at);
  runs.badPath = digestAsync(['ingest', 'no/such/page.txt'], at);
  runs.contradiction = digestAsync(['ingest', '--quiet', '--verbose'], at);
  runs.unreachableDebug = digestAsync(['runs', '--debug'], { cwd: dir, env: { ...LOCAL, DATABASE_URL: 'postgres://digest:hunter2secret@127.0.0.1:1/nowhere' } });
  runs.dbIsFile = digestAsync(['runs', '--db', 'pipelines/bad.mts'], at);
  runs.help = digestAsync(['help'], at);
  runs.replayHelp = digestAsync(['replay', '--help'], at);
});

describe('digest config', () => {
  it('prints every setting with the layer it came from: default, pipeline file, environment, flag', async () => {
    const r = await runs.config!;
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.pipeline).toEqual({ file: 'pipelines/digest-pages.ts', from: { kind: 'default', name: null } });
    expect(c.settings.languages).toEqual({ value: ['en', 'de'], from: { kind: 'environment', name: 'DIGEST_LANGUAGES' } });
    expect(c.settings.maxEntryChars).toEqual({ value: 5000, from: { kind: 'flag', name: '--max-entry-chars' } });
    expect(c.settings.languageMinLength).toEqual({ value: 50, from: { kind: 'pipeline', name: 'pipelines/digest-pages.ts' } });
    expect(c.settings.maxFileBytes.from).toEqual({ kind: 'default', name: null });
    expect(c.settings.maxFileBytes.value).toBeGreaterThan(0);
    expect(c.database).toEqual({ value: 'PGlite .digest/pglite', from: { kind: 'default', name: null } });
  });

  it('shows the same as a table a person reads', async () => {
    const r = await runs.configText!;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^languages\s+en, de\s+environment DIGEST_LANGUAGES\s/m);
    expect(r.stdout).toMatch(/^languageMinLength\s+50\s+pipeline file pipelines\/digest-pages\.ts\s/m);
    expect(r.stdout).toMatch(/^maxEntryChars\s+1000000\s+default\s/m);
    expect(r.stdout).toContain('Precedence: default < pipeline file < environment < flag.');
  });

  it('names the file, the setting, the index and the value of every problem in a pipeline file, and exits 2', async () => {
    const r = await runs.bad!;
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("digest config: pipelines/bad.mts: languages[2] 'xx' is not an ISO 639-1 code.\n");
    expect(r.stderr).toContain("digest config: pipelines/bad.mts: langauges is not a setting (did you mean 'languages'?)");
    expect(r.stderr).toContain('digest config: pipelines/bad.mts: languageMargin 1.5 is not a number from 0 to 1.\n');
  });

  it('says which flag carried a bad value', async () => {
    const r = await runs.badEnv!;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("digest ingest: --languages: languages[1] 'klingon' is not an ISO 639-1 code.\n");
  });

  it('lists the pipelines when --pipeline names no file', async () => {
    const r = await runs.missingPipeline!;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('digest config: --pipeline nope.ts: no such pipeline file; give a path, or one of pipelines/digest-pages.ts.\n');
  });
});

describe('digest studio', () => {
  it('--print writes a drizzle-kit config for the embedded folder and prints the command without starting it', async () => {
    const r = await runs.studio!;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`node ${join(ROOT, 'node_modules/drizzle-kit/bin.cjs')} studio --config ${join(dir, '.digest/studio/drizzle.config.ts')} --port 4983`);
    expect(r.stdout).toContain("driver: 'pglite',");
    expect(r.stdout).toContain(`dbCredentials: { url: ${JSON.stringify(join(dir, '.digest/pglite'))} },`);
    expect(r.stdout).toContain('https://local.drizzle.studio?port=4983');
  });

  it('--print for a server reads the URL from the environment and never writes or prints the password', async () => {
    const r = await runs.studioServer!;
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DIGEST_STUDIO_DATABASE_URL="$DATABASE_URL" node ');
    expect(r.stdout).toContain('dbCredentials: { url: process.env.DIGEST_STUDIO_DATABASE_URL! },');
    expect(r.stdout).toContain('postgres://digest:***@127.0.0.1:5432/digest');
    expect(r.stdout + r.stderr).not.toContain('s3cretpass');
  });
});

describe('errors a user can cause: one sentence, what to do, the documented exit code', () => {
  it('an unknown option exits 2', async () => {
    const r = await runs.badFlag!;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('digest runs: unknown option --frobnicate (run "digest runs --help" for its options).\n');
  });

  it('a path that does not exist exits 1 before anything is written', async () => {
    const r = await runs.badPath!;
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('digest ingest: "no/such/page.txt" does not exist; check the path (nothing was read or written).\n');
  });

  it('--quiet with --verbose is a usage error', async () => {
    const r = await runs.contradiction!;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--quiet and --verbose contradict each other; give one');
  });

  it('an unreachable server exits 1 with one sentence naming DATABASE_URL, without the password; --debug adds the stack', async () => {
    const d = await runs.unreachableDebug!;
    expect(d.code).toBe(1);
    const [first, ...stack] = d.stderr.split('\n');
    expect(first).toMatch(/^digest runs: cannot use the database server \(ECONNREFUSED: .*\)\. Check DATABASE_URL and that the server is running\.$/);
    expect(stack.join('\n')).toMatch(/^\S*Error: [^]*\n\s+at /);
    expect(d.stderr).not.toContain('hunter2secret');
  });

  it('--db naming a file is a usage error', async () => {
    const r = await runs.dbIsFile!;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--db pipelines/bad.mts is a file, not a folder');
  });
});

describe('help', () => {
  it('lists the operator commands, and each command explains its options', async () => {
    const r = await runs.help!;
    expect(r.code).toBe(0);
    for (const c of ['runs [--limit N]', 'explain ENTRY_ID | FILE#n', 'replay [--reason CODE]', 'config [--pipeline FILE]', 'studio [--port N]', 'sql "select …"']) expect(r.stdout).toContain(c);
    const h = await runs.replayHelp!;
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('usage: digest replay [--reason CODE]');
    expect(h.stdout).toContain('--max-entry-chars');
  });
});
