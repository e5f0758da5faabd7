import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock } from '../db/lock.ts';
import { DB_FLAGS, databaseTarget, EXIT, type Io, openDb, parseFlags, positiveNumber, UsageError } from './common.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DRIZZLE_KIT = join(ROOT, 'node_modules/drizzle-kit/bin.cjs');
const SCHEMA = join(ROOT, 'src/db/schema.ts');

/** The environment variable the generated config reads a server URL from (never written to disk). */
const URL_VAR = 'DIGEST_STUDIO_DATABASE_URL';

/**
 * The drizzle-kit config for Drizzle Studio on the configured database: the embedded folder
 * (`driver: 'pglite'`) or a server URL read from DIGEST_STUDIO_DATABASE_URL at start.
 */
export function studioConfig(target: { url?: string; dir?: string }, cwd: string): string {
  const creds = target.url ? `{ url: process.env.${URL_VAR}! }` : `{ url: ${JSON.stringify(resolve(cwd, target.dir!))} }`;
  return [
    '// Written by `digest studio`: Drizzle Studio on the digest-etl database.',
    'export default {',
    "  dialect: 'postgresql',",
    ...(target.url ? [] : ["  driver: 'pglite',"]),
    `  schema: ${JSON.stringify(SCHEMA)},`,
    `  dbCredentials: ${creds},`,
    '};',
    '',
  ].join('\n');
}

/**
 * `digest studio [--port N] [--host H] [--print]`: opens Drizzle Studio (drizzle-kit studio) on
 * the configured database, PGlite or server, and keeps the embedded database locked while it
 * runs (Ctrl-C ends it). `--print` writes the config and prints the command instead of running it.
 */
export async function studioCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, port: { type: 'string' }, host: { type: 'string' }, print: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`digest studio takes no arguments (got ${positionals.join(' ')})`);
  const port = values.port != null ? positiveNumber(values.port, '--port') : 4983;
  const target = databaseTarget(values, io);
  if (target.dir?.startsWith('memory://')) throw new UsageError('Drizzle Studio needs a database that outlives the command; give --db DIR or DATABASE_URL, not memory://');
  const configPath = resolve(io.cwd, '.digest/studio/drizzle.config.ts');
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(configPath, studioConfig(target, io.cwd));
  const args = [DRIZZLE_KIT, 'studio', '--config', configPath, '--port', String(port), ...(values.host ? ['--host', values.host] : [])];
  const command = `${target.url ? `${URL_VAR}="$DATABASE_URL" ` : ''}node ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;
  if (values.print) {
    io.out(
      [
        `Drizzle Studio on ${target.describe}:`,
        '',
        `  ${command}`,
        '',
        `then open https://local.drizzle.studio?port=${port} in a browser (the page talks to the local server on port ${port}).`,
        `The config ${configPath}:`,
        '',
        studioConfig(target, io.cwd),
      ].join('\n'),
    );
    if (!target.url) io.out('Stop every other digest command on this folder first: PGlite allows one process at a time.\n');
    return EXIT.ok;
  }
  // Apply pending migrations (and refuse a database newer than this code) before browsing it.
  await (await openDb(values, io)).close();
  const release = target.dir ? acquireLock(`${resolve(io.cwd, target.dir)}.lock`) : () => {};
  try {
    io.err(`digest studio: Drizzle Studio on ${target.describe}; open https://local.drizzle.studio?port=${port} (Ctrl-C to stop)\n`);
    const env = { ...io.env, ...(target.url ? { [URL_VAR]: target.url } : {}) };
    const code = await new Promise<number>((done, fail) => {
      const child = spawn(process.execPath, args, { stdio: 'inherit', env: env as NodeJS.ProcessEnv, cwd: io.cwd });
      const stop = () => child.kill('SIGINT');
      process.once('SIGINT', stop);
      child.on('error', fail);
      child.on('exit', (c, signal) => {
        process.off('SIGINT', stop);
        done(c ?? (signal === 'SIGINT' ? 0 : 1));
      });
    });
    return code === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    release();
  }
}
