import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { onJsonLines } from '../../../src/log/json-lines.ts';
import { ROOT } from '../../helpers/paths.ts';
import type { ChildConfig } from '../ingest-child.ts';

/** When the parent sends SIGKILL to a running child. */
export type ParentKill =
  /** After the child reported `nth` documents loaded (committed), plus `delayMs`. */
  | { kind: 'after-loaded'; nth: number; delayMs: number }
  /** `delayMs` after the child's first document event (any status). */
  | { kind: 'delay'; delayMs: number }
  /** As soon as `dir` (a fresh PGlite data folder) has files in it, plus `delayMs`: mid-initialisation. */
  | { kind: 'init'; dir: string; delayMs: number }
  /** As soon as `poll()` (e.g. the runs row seen from another connection) says so, plus `delayMs`. */
  | { kind: 'poll'; poll: () => Promise<boolean>; delayMs: number; label: string };

/** What a child process did. */
export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Documents it reported loaded (committed). */
  loaded: number;
  /** JSON lines it printed (stdout for the harness child, stderr log lines for the CLI). */
  events: Array<Record<string, unknown>>;
  /** True when it died of SIGKILL (sent by the parent or by itself). */
  killed: boolean;
  /** The run it started, when its output names it (document events, the summary line). */
  runId: number | null;
  /** Milliseconds from spawn to exit. */
  ms: number;
  /** What the parent observed when it sent the signal (e.g. whether a transaction was open). */
  note?: string;
}

/** The environment of a child: this process's, without database settings, plus `env`. */
export function childEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const out: Record<string, string | undefined> = { ...process.env, DATABASE_URL: undefined, DIGEST_DB_DIR: undefined, ...env };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as NodeJS.ProcessEnv;
}

function parseLines(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      out.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      /* a partial line of a killed process */
    }
  }
  return out;
}

interface SpawnOpts {
  cwd: string;
  env?: Record<string, string | undefined>;
  kill?: ParentKill | null;
  /** Called just before the parent's SIGKILL; its answer is kept as `note`. */
  observe?: () => Promise<string>;
  timeoutMs?: number;
}

function run(args: string[], eventsOn: 'stdout' | 'stderr', opts: SpawnOpts): Promise<ProcResult> {
  const t0 = Date.now();
  const child = spawn(process.execPath, args, { cwd: opts.cwd, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let loaded = 0;
  let firstDocAt: number | null = null;
  let note: string | undefined;
  let fired = false;
  const kill = opts.kill ?? null;
  const fire = async () => {
    if (fired) return;
    fired = true;
    if (opts.observe) note = await opts.observe().catch((e: Error) => `observe failed: ${e.message}`);
    child.kill('SIGKILL');
  };
  const later = (ms: number) => setTimeout(() => void fire(), ms);
  const onEvent = (ev: Record<string, unknown>) => {
    if (ev.event !== 'document') return;
    if (firstDocAt == null) {
      firstDocAt = Date.now();
      if (kill?.kind === 'delay') later(kill.delayMs);
    }
    if (ev.status === 'loaded') {
      loaded++;
      if (kill?.kind === 'after-loaded' && loaded === kill.nth) later(kill.delayMs);
    }
  };
  child.stdout.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  onJsonLines(eventsOn === 'stdout' ? child.stdout : child.stderr, onEvent);
  let poller: NodeJS.Timeout | null = null;
  if (kill?.kind === 'init') {
    poller = setInterval(() => {
      if (existsSync(kill.dir) && readdirSync(kill.dir).length > 0) {
        clearInterval(poller!);
        later(kill.delayMs);
      }
    }, 5);
  } else if (kill?.kind === 'poll') {
    let busy = false;
    poller = setInterval(() => {
      if (busy) return;
      busy = true;
      kill.poll().then((yes) => {
        busy = false;
        if (yes && poller) {
          clearInterval(poller);
          poller = null;
          later(kill.delayMs);
        }
      }, () => {
        busy = false;
      });
    }, 20);
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000);
  return new Promise((resolvePromise) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poller) clearInterval(poller);
      const events = parseLines(eventsOn === 'stdout' ? stdout : stderr);
      const fromEvents = events.find((e) => typeof e.runId === 'number')?.runId as number | undefined;
      const fromSummary = /\brun (\d+) (?:finished|failed)/.exec(stdout)?.[1];
      const runId = fromEvents ?? (fromSummary ? Number(fromSummary) : null);
      resolvePromise({ code, signal, stdout, stderr, loaded, events, runId, killed: signal === 'SIGKILL', ms: Date.now() - t0, ...(note ? { note } : {}) });
    });
  });
}

/** tsx's loader by absolute URL, so a child started in any folder finds it. */
export const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

/** Runs the real CLI, `node bin/digest.js ARGS`, optionally killed by the parent. */
export function digestProc(args: string[], opts: SpawnOpts): Promise<ProcResult> {
  return run([join(ROOT, 'bin/digest.js'), ...args], 'stderr', opts);
}

/** Runs the harness child (tests/faults/ingest-child.ts) with a self-kill point and/or a parent kill. */
export function childProc(config: ChildConfig, opts: SpawnOpts): Promise<ProcResult> {
  return run(['--import', TSX, join(ROOT, 'tests/faults/ingest-child.ts'), JSON.stringify(config)], 'stdout', opts);
}
