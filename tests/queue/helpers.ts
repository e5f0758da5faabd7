import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { genPage } from '../../bench/generate.ts';
import { onJsonLines } from '../../src/log/json-lines.ts';
import { serverTarget } from '../helpers/db.ts';
import { ROOT } from '../helpers/paths.ts';

/** The server the queue tests create their databases on (CI sets it). */
export const SERVER_URL = process.env.TEST_DATABASE_URL ?? null;

/** Why the server tests are skipped, as the name of the one skipped test. */
export const SKIP_MESSAGE = 'skipped: the queue tests need a PostgreSQL server; set TEST_DATABASE_URL=postgres://user@host:5432/db (each test creates and drops a database of its own)';

/** A fresh, migrated database on the test server, and how to drop it. */
export function freshDatabase() {
  return serverTarget(SERVER_URL!).open();
}

/** A temporary folder with `count` generated digest pages of `entries` entries each. */
export function writePages(count: number, entries: number, opts: { seed?: number; prefix?: string; dir?: string } = {}): string {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'digest-queue-'));
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    writeFileSync(join(dir, `${opts.prefix ?? 'page'}-${String(i).padStart(4, '0')}.txt`), genPage(opts.seed ?? 7, 1_000_000 + i * entries * 2, entries));
  }
  return dir;
}

/** A `digest` process started in the background, with its stdout JSON lines collected. */
export interface Proc {
  child: ChildProcess;
  /** Parsed JSON lines of stdout, in order. */
  events: Array<Record<string, unknown>>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first event for which `pred` holds (rejects after `timeoutMs`). */
  waitFor(pred: (e: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node bin/digest.js ARGS` with extra environment. */
export function startDigest(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Proc {
  const full: Record<string, string | undefined> = { ...process.env, ...env };
  for (const k of Object.keys(full)) if (full[k] === undefined) delete full[k];
  const child = spawn(process.execPath, [join(ROOT, 'bin/digest.js'), ...args], { cwd, env: full as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Array<Record<string, unknown>> = [];
  let out = '';
  let err = '';
  const waiters: Array<{ pred: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  onJsonLines(child.stdout!, (e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    events,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pred, timeoutMs = 60_000) {
      const found = events.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for an event; stdout:\n${out.slice(-2000)}\nstderr:\n${err.slice(-2000)}`)), timeoutMs);
        const w = {
          pred,
          resolve: (e: Record<string, unknown>) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        waiters.push(w);
        void exited.then(() => {
          if (waiters.includes(w)) {
            clearTimeout(timer);
            reject(new Error(`the process exited before the event; stdout:\n${out.slice(-2000)}\nstderr:\n${err.slice(-2000)}`));
          }
        });
      });
    },
  };
}

/** Polls `check` every 200 ms until it returns a value other than null/false (rejects after `timeoutMs`). */
export async function until<T>(what: string, check: () => Promise<T | null | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a process with SIGTERM and waits for it (SIGKILL after `graceMs`). */
export async function stop(p: Proc, graceMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode != null || p.child.signalCode != null) return p.exited;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  const r = await p.exited;
  clearTimeout(timer);
  return r;
}
