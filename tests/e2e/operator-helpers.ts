import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliRun } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';

/** No server and no folder from the developer's environment. */
export const LOCAL = { DATABASE_URL: undefined, DIGEST_DB_DIR: undefined, DIGEST_PIPELINE: undefined, DIGEST_LANGUAGES: undefined, DIGEST_MAX_ENTRY_CHARS: undefined } as const;

/**
 * Runs the real `digest` binary without blocking, so independent commands (those that do not
 * share an embedded database) run side by side. Same contract as tests/helpers/cli.ts.
 */
export function digestAsync(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  return run(process.execPath, [join(ROOT, 'bin/digest.js'), ...args], opts);
}

/** Runs a command line inside a pseudo-terminal (util-linux `script`), so stdout and stderr are TTYs. */
export function inTerminal(command: string, opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  return run('script', ['-qfc', command, '/dev/null'], { ...opts, env: { COLUMNS: '160', ...opts.env } });
}

// At most this many binaries at once (each start costs a core for a few seconds).
const PARALLEL = 3;
let active = 0;
const waiting: Array<() => void> = [];

async function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> }): Promise<CliRun> {
  if (active >= PARALLEL) await new Promise<void>((go) => waiting.push(go));
  active++;
  try {
    return await spawnOnce(cmd, args, opts);
  } finally {
    active--;
    waiting.shift()?.();
  }
}

function spawnOnce(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> }): Promise<CliRun> {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A working folder like a user's: the project's raw/ pages copied in, no database yet. */
export function workdir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mkdirSync(join(dir, 'raw'));
  for (const f of ['sample-digest-2023.txt', 'sample-prison-section.txt']) copyFileSync(join(ROOT, 'raw', f), join(dir, 'raw', f));
  return dir;
}

/** Text without terminal control sequences (colours, cursor moves, line clears). */
export function plainText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
}
