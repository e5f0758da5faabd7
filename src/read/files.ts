import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { diag } from '../diagnostics.ts';
import type { ReadResult, RejectedDocument } from '../types.ts';
import { decodeBytes } from './decode.ts';

/** Extensions picked up when a folder is given. */
export const INPUT_EXTENSIONS = ['.txt', '.text', '.md', '.markdown', '.html', '.htm'];

/** Default largest file read (bytes); larger files are rejected with `read/too-large`. */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

/** A path found by `listInputs`, or a rejection of a path that cannot be walked. */
export type InputItem = { path: string } | { rejected: RejectedDocument };

function rejected(path: string, code: 'read/not-found' | 'read/unreadable', message: string): InputItem {
  return { rejected: { path, sha256: null, bytes: null, reason: diag(code, { file: path }, message) } };
}

/**
 * Expands the paths given by the user into input files, in a stable (sorted) order.
 * Folders are walked recursively for INPUT_EXTENSIONS; symlinked folders are followed once
 * (a loop is reported, not followed forever); a missing path is a rejection, not a crash.
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
    if (st.isDirectory()) await walk(p, out, seen);
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
    out.push(rejected(dir, 'read/unreadable', `${dir} leads back to ${relative(process.cwd(), real) || '.'}, a folder already read (a symbolic link loop); skipped.`));
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
    else if (INPUT_EXTENSIONS.some((e) => name.toLowerCase().endsWith(e))) out.push({ path: p });
  }
}

/**
 * Reads one file and decodes it (the `read` stage's I/O half). Never throws for a bad file:
 * a file that cannot be read is a rejection with a reason.
 */
export async function readInput(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<ReadResult> {
  try {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      if (size > maxBytes) {
        return {
          ok: false,
          rejected: { path, sha256: null, bytes: size, reason: diag('read/too-large', { file: path }, `${path} is ${size} bytes, more than the limit of ${maxBytes}.`) },
        };
      }
      const bytes = await fh.readFile();
      return decodeBytes(path, bytes);
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
