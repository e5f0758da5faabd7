import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

/** Result of running the real `digest` binary. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/digest.js ARGS` as a user would, in `cwd`, with extra environment. */
export function digest(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliRun {
  const env: Record<string, string | undefined> = { ...process.env, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/digest.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
