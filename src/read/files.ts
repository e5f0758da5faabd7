import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { diag } from '../diagnostics.ts';
import type { ReadResult, RejectedDocument } from '../types.ts';
import { decodeBytes } from './decode.ts';

/** Extensions picked up when a folder is given. */
export const INPUT_EXTENSIONS = ['.txt', '.text', '.md', '.markdown', '.html', '.htm'];

/**
 * Default largest file read: 20 MiB (20,971,520 bytes). Digest pages are 10-200 KB, so a file
 * a hundred times larger is almost certainly not one; it is rejected with `read/too-large`
 * without being read. Raise it with the `maxFileBytes` setting (pipeline file,
 * `DIGEST_MAX_FILE_BYTES`, `--max-file-bytes`).
 */
export const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

/** Bytes as a person reads them: `20 MiB`, `1.5 MiB`, `200 KiB`, `512 bytes`. */
export function formatBytes(n: number): string {
  const units: Array<[string, number]> = [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]];
  for (const [unit, size] of units) {
    if (n >= size) return `${Number((n / size).toFixed(1))} ${unit}`;
  }
  return `${n} bytes`;
}

/** The `read/too-large` reason: the size, the limit and how to raise it. */
function tooLarge(path: string, size: number, maxBytes: number): RejectedDocument {
  const message =
    `${path} is ${formatBytes(size)} (${size} bytes), more than the limit of ${formatBytes(maxBytes)} (${maxBytes} bytes); it was not read. ` +
    `Digest pages are 10-200 KB. To read it anyway, raise maxFileBytes to at least ${size} ` +
    `(in the pipeline file, DIGEST_MAX_FILE_BYTES=${size} or --max-file-bytes ${size}).`;
  return { path, sha256: null, bytes: size, reason: diag('read/too-large', { file: path }, message, { data: { bytes: size, limit: maxBytes } }) };
}

/** What a path is when it is neither a folder nor a regular file (none of them is read). */
function kindOf(st: Stats): string | null {
  if (st.isFile() || st.isDirectory()) return null;
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** A path found by `listInputs`, or a rejection of a path that cannot be walked. */
export type InputItem = { path: string } | { rejected: RejectedDocument };

function rejected(path: string, code: 'read/not-found' | 'read/unreadable', message: string): InputItem {
  return { rejected: { path, sha256: null, bytes: null, reason: diag(code, { file: path }, message) } };
}

/**
 * Expands the paths given by the user into input files, in a stable (sorted) order.
 * Folders are walked recursively for INPUT_EXTENSIONS; symlinked folders are followed once
 * (a loop is reported, not followed forever); a missing path is a rejection, not a crash.
 * Named pipes, sockets and devices are rejected (`read/unreadable`) without being opened: a
 * pipe named `page.txt` would otherwise block the run forever.
 */
export async function listInputs(paths: string[]): Promise<InputItem[]> {
  const out: InputItem[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') out.push(rejected(p, 'read/not-found', `${p} does not exist.`));
      else if (code === 'ELOOP') out.push(rejected(p, 'read/unreadable', `${p} is a symbolic link loop.`));
      else out.push(rejected(p, 'read/unreadable', `${p} cannot be read: ${(err as Error).message}.`));
      continue;
    }
    const odd = kindOf(st);
    if (odd) out.push(rejected(p, 'read/unreadable', `${p} is ${odd}, not a file; it was not read.`));
    else if (st.isDirectory()) await walk(p, out, seen);
    else out.push({ path: p });
  }
  return out;
}

async function walk(dir: string, out: InputItem[], seen: Set<string>): Promise<void> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (err) {
    out.push(rejected(dir, 'read/unreadable', `${dir} cannot be resolved: ${(err as Error).message}.`));
    return;
  }
  if (seen.has(real)) {
    // A loop when the folder the link leads to holds the link itself; else a second way into a
    // folder already listed. Neither is followed, and its files are not lost (they were listed).
    const here = await realpath(dirname(dir)).catch(() => dirname(dir));
    const loop = here === real || here.startsWith(real.endsWith(sep) ? real : real + sep);
    out.push(rejected(dir, 'read/unreadable', loop
      ? `${dir} is a symbolic link loop: it leads back to ${real}, a folder that holds it; not followed.`
      : `${dir} leads to ${real}, a folder already read; not read twice.`));
    return;
  }
  seen.add(real);
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    out.push(rejected(dir, 'read/unreadable', `${dir} cannot be listed: ${(err as Error).message}.`));
    return;
  }
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    let st;
    try {
      st = await stat(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const isLink = await lstat(p).then((l) => l.isSymbolicLink(), () => false);
      if (code === 'ELOOP' || isLink) out.push(rejected(p, 'read/unreadable', `${p} is a broken or looping symbolic link.`));
      else out.push(rejected(p, 'read/unreadable', `${p} cannot be read: ${(err as Error).message}.`));
      continue;
    }
    if (st.isDirectory()) await walk(p, out, seen);
    else if (!INPUT_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e))) continue;
    else if (kindOf(st)) out.push(rejected(p, 'read/unreadable', `${p} is ${kindOf(st)}, not a file; it was not read.`));
    else out.push({ path: p });
  }
}

/**
 * Reads one file and decodes it (the `read` stage's I/O half). Never throws for a bad file:
 * a file that cannot be read is a rejection with a reason. A file larger than `maxBytes`
 * (default {@link DEFAULT_MAX_FILE_BYTES}) is rejected with `read/too-large` after a `stat`,
 * without reading it; at most `maxBytes + 1` bytes are ever read, so a file that grows while
 * it is read is rejected too rather than filling memory.
 */
export async function readInput(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<ReadResult> {
  try {
    // O_NONBLOCK: opening a named pipe returns at once (and is then rejected) instead of waiting
    // for a writer; it changes nothing for regular files.
    const fh = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const st = await fh.stat();
      const odd = kindOf(st);
      if (odd) {
        return { ok: false, rejected: { path, sha256: null, bytes: null, reason: diag('read/unreadable', { file: path }, `${path} is ${odd}, not a file; it was not read.`) } };
      }
      if (st.size > maxBytes) return { ok: false, rejected: tooLarge(path, st.size, maxBytes) };
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const want = Math.min(Math.max(st.size + 1 - total, 65536), maxBytes + 1 - total);
        if (want <= 0) break;
        const buf = Buffer.allocUnsafe(want);
        const { bytesRead } = await fh.read(buf, 0, want, null);
        if (bytesRead === 0) break;
        chunks.push(bytesRead === want ? buf : buf.subarray(0, bytesRead));
        total += bytesRead;
      }
      if (total > maxBytes) return { ok: false, rejected: tooLarge(path, total, maxBytes) };
      return decodeBytes(path, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT'
      ? diag('read/not-found', { file: path }, `${path} does not exist.`)
      : diag('read/unreadable', { file: path }, `${path} cannot be read (${code ?? 'error'}): ${(err as Error).message}.`);
    return { ok: false, rejected: { path, sha256: null, bytes: null, reason } };
  }
}
