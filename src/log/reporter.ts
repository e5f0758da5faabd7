import cliProgress from 'cli-progress';
import pino from 'pino';
import type { Logger, RunCounts, RunResult } from '../types.ts';

/** How much a command says while it works: `--quiet` (errors only), normal, `--verbose` (debug). */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** Where a reporter writes (the CLI's Io satisfies it). */
export interface LogSink {
  err(text: string): void;
  /** True when stdout is a terminal. */
  isTTY: boolean;
  /** The stderr stream, when it is one (the progress bar draws on it). */
  stderr?: NodeJS.WriteStream | undefined;
}

/** One finished document of a run, as `runIngest`'s onDocument reports it. */
export interface DocumentEvent {
  runId: number;
  path: string;
  status: 'loaded' | 'unchanged' | 'rejected';
  /** The run's counts so far. */
  counts: RunCounts;
  reason?: { code: string; message: string } | undefined;
}

/** Reports a run's progress: a bar on a terminal, JSON lines otherwise. */
export interface Reporter {
  /** `bar` (terminal), `json` (pino lines on stderr) or `none` (--quiet on a terminal). */
  readonly mode: 'bar' | 'json' | 'none';
  /** A logger for the stages (RunContext.log). */
  readonly log: Logger;
  /** Before the first document: how many files the run will read. */
  start(info: { totalFiles: number; paths: string[]; pipeline: string; database: string }): void;
  /** After each document. */
  document(e: DocumentEvent): void;
  /** The run finished (the summary is printed by the command, on stdout). */
  finish(result: RunResult): void;
  /** The run failed. */
  fail(err: unknown): void;
  /** Stops the bar (idempotent); call in `finally`. */
  close(): void;
}

/** The pino logger of a command: JSON lines on stderr, `level` as a word, ISO time. */
export function jsonLogger(sink: LogSink, command: string, verbosity: Verbosity): pino.Logger {
  return pino(
    {
      level: verbosity === 'quiet' ? 'error' : verbosity === 'verbose' ? 'debug' : 'info',
      base: { cmd: command },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => sink.err(line) },
  );
}

function delta(a: RunCounts, b: RunCounts) {
  return {
    read: a.entriesRead - b.entriesRead,
    new: a.entriesNew - b.entriesNew,
    updated: a.entriesUpdated - b.entriesUpdated,
    unchanged: a.entriesUnchanged - b.entriesUnchanged,
    duplicate: a.entriesDuplicate - b.entriesDuplicate,
    rejected: a.entriesRejected - b.entriesRejected,
  };
}

const ZERO: RunCounts = { filesRead: 0, filesRejected: 0, filesUnchanged: 0, entriesRead: 0, entriesNew: 0, entriesUpdated: 0, entriesUnchanged: 0, entriesDuplicate: 0, entriesRejected: 0 };

function runFields(r: RunResult) {
  const c = r.counts;
  return {
    event: 'run',
    runId: r.runId,
    status: r.status,
    durationMs: r.durationMs,
    files: { read: c.filesRead, loaded: c.filesRead - c.filesRejected - c.filesUnchanged, unchanged: c.filesUnchanged, rejected: c.filesRejected },
    entries: { read: c.entriesRead, new: c.entriesNew, updated: c.entriesUpdated, unchanged: c.entriesUnchanged, duplicate: c.entriesDuplicate, rejected: c.entriesRejected },
    issues: r.issues,
  };
}

/**
 * A reporter for a run of `command`. On a terminal (stdout and stderr both TTYs) and not
 * `--quiet`: a cli-progress bar on stderr with files done/total, entries, entries per second and
 * the ETA (with `--verbose`, a line per document above it). Otherwise: pino JSON lines on stderr,
 * one per document (`event: "document"`: run id, path, status, the document's entry counts, ms)
 * and one per run (`event: "run"`: run id, status, duration, counts, issues); `--quiet` keeps only
 * errors, `--verbose` adds debug lines.
 */
export function createReporter(sink: LogSink, command: string, verbosity: Verbosity, now: () => number = Date.now): Reporter {
  const terminal = sink.isTTY && Boolean(sink.stderr?.isTTY);
  if (terminal && verbosity === 'quiet') return silentReporter();
  if (terminal && sink.stderr) return barReporter(sink.stderr, command, verbosity, now);
  return jsonReporter(sink, command, verbosity, now);
}

function silentReporter(): Reporter {
  return { mode: 'none', log: { info() {}, warn() {}, debug() {} }, start() {}, document() {}, finish() {}, fail() {}, close() {} };
}

function jsonReporter(sink: LogSink, command: string, verbosity: Verbosity, now: () => number): Reporter {
  const logger = jsonLogger(sink, command, verbosity);
  let prev = ZERO;
  let last = now();
  let total = 0;
  let done = 0;
  return {
    mode: 'json',
    log: {
      info: (msg, data) => logger.info(data ?? {}, msg),
      warn: (msg, data) => logger.warn(data ?? {}, msg),
      debug: (msg, data) => logger.debug(data ?? {}, msg),
    },
    start(info) {
      total = info.totalFiles;
      last = now();
      logger.debug({ event: 'start', files: info.totalFiles, paths: info.paths, pipeline: info.pipeline, database: info.database }, `${command}: ${info.totalFiles} file(s) to read`);
    },
    document(e) {
      done++;
      const t = now();
      const fields = {
        event: 'document',
        runId: e.runId,
        path: e.path,
        status: e.status,
        ...(e.reason ? { reason: { code: e.reason.code, message: e.reason.message } } : {}),
        entries: delta(e.counts, prev),
        ms: t - last,
        files: { done, total },
      };
      if (e.status === 'rejected') logger.warn(fields, `${e.path} rejected: ${e.reason?.message ?? 'unreadable'}`);
      else logger.info(fields, `${e.path} ${e.status}`);
      prev = e.counts;
      last = t;
    },
    finish(r) {
      logger.info(runFields(r), `run ${r.runId} ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s`);
    },
    fail(err) {
      logger.error({ event: 'run', status: 'failed', error: (err as Error)?.message ?? String(err) }, `${command} failed`);
    },
    close() {},
  };
}

function barReporter(stream: NodeJS.WriteStream, command: string, verbosity: Verbosity, now: () => number): Reporter {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: `${command} {bar} {value}/{total} files | {entries} entries | {rate} entries/s | ETA {eta_formatted} | {file}`,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 20,
      fps: 10,
      barsize: 24,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | null = null;
  let started = now();
  let prev = ZERO;
  let last = now();
  let stopped = false;
  const line = (text: string) => {
    if (verbosity === 'verbose') multi.log(`${text}\n`);
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    multi.update(); // flush lines logged since the last frame, and draw the final bar
    multi.stop();
  };
  return {
    mode: 'bar',
    log: {
      info: (msg) => line(msg),
      warn: (msg) => multi.log(`warning: ${msg}\n`),
      debug: (msg) => line(msg),
    },
    start(info) {
      started = now();
      last = started;
      bar = multi.create(Math.max(info.totalFiles, 0), 0, { entries: 0, rate: '0', file: '' });
      line(`${command}: ${info.totalFiles} file(s) to read into ${info.database} (pipeline ${info.pipeline})`);
    },
    document(e) {
      const t = now();
      const d = delta(e.counts, prev);
      const seconds = Math.max((t - started) / 1000, 0.001);
      bar?.increment(1, { entries: e.counts.entriesRead, rate: (e.counts.entriesRead / seconds).toFixed(0), file: e.path });
      if (e.status === 'rejected') line(`rejected ${e.path}: ${e.reason?.message ?? ''} [${e.reason?.code ?? ''}]`);
      else line(`${e.status} ${e.path}: ${d.read} entries (${d.new} new, ${d.updated} updated, ${d.unchanged} unchanged, ${d.duplicate} duplicate, ${d.rejected} rejected) in ${t - last} ms`);
      prev = e.counts;
      last = t;
    },
    finish(r) {
      bar?.update(bar.getTotal(), { file: `run ${r.runId} ${r.status} in ${(r.durationMs / 1000).toFixed(1)} s` });
      stop();
    },
    fail() {
      stop();
    },
    close: stop,
  };
}

/**
 * A plain logger for commands without a progress bar (`digest replay`): on a terminal, text
 * lines on stderr (info and debug with --verbose, warnings always); otherwise pino JSON lines
 * at the level the verbosity asks for.
 */
export function createLogger(sink: LogSink, command: string, verbosity: Verbosity): Logger {
  if (sink.isTTY && sink.stderr?.isTTY) {
    const say = (text: string) => sink.err(`${text}\n`);
    return {
      info: (msg) => verbosity === 'verbose' && say(msg),
      debug: (msg) => verbosity === 'verbose' && say(msg),
      warn: (msg) => verbosity !== 'quiet' && say(`warning: ${msg}`),
    } as Logger;
  }
  const logger = jsonLogger(sink, command, verbosity);
  return {
    info: (msg, data) => logger.info(data ?? {}, msg),
    warn: (msg, data) => logger.warn(data ?? {}, msg),
    debug: (msg, data) => logger.debug(data ?? {}, msg),
  };
}
