import { createHash } from 'node:crypto';
import { diag } from '../diagnostics.ts';
import type { Diagnostic, Format, ReadResult } from '../types.ts';

/** Signatures of common binary formats (checked on the first bytes). */
const BINARY_MAGIC: Array<[string, number[]]> = [
  ['PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['JPEG image', [0xff, 0xd8, 0xff]],
  ['GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['PDF document', [0x25, 0x50, 0x44, 0x46]],
  ['ZIP archive (or DOCX/XLSX)', [0x50, 0x4b, 0x03, 0x04]],
  ['gzip archive', [0x1f, 0x8b]],
  ['ELF executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['WebP/RIFF file', [0x52, 0x49, 0x46, 0x46]],
];

/** Options of the decoder. */
export interface DecodeOptions {
  /** Format forced by the caller; otherwise from the extension and the content. */
  format?: Format;
}

/** Format from a file name's extension, or null when the extension says nothing. */
export function formatFromPath(path: string): Format | null {
  const m = /\.([a-z0-9]+)$/i.exec(path);
  const ext = m?.[1]?.toLowerCase();
  if (ext === 'md' || ext === 'markdown') return 'markdown';
  if (ext === 'html' || ext === 'htm' || ext === 'xhtml') return 'html';
  if (ext === 'txt' || ext === 'text') return 'text';
  return null;
}

/** Sniffs HTML from the first characters: a doctype or a leading `<html`, `<body`, `<div`, `<p` … */
export function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 2048).trimStart().toLowerCase();
  return /^(<!doctype html|<html[\s>]|<head[\s>]|<body[\s>]|<meta[\s>]|<!--)/.test(head) ||
    (/^<(div|p|article|main|section|h[1-6]|ul|table)[\s>]/.test(head) && /<\/(p|div|li|h[1-6])>/.test(text.slice(0, 65536)));
}

function startsWith(bytes: Uint8Array, sig: number[]): boolean {
  return sig.every((b, i) => bytes[i] === b);
}

/**
 * Decodes raw bytes into a normalised RawDocument (or a rejection with a reason).
 * UTF-8 (with or without BOM) and UTF-16 with BOM are decoded as such; bytes that are not
 * valid UTF-8 but look like text are decoded as Windows-1252 with a `read/decoded-legacy` note.
 * The text is NFC with LF line endings and no BOM. Pure: no I/O.
 */
export function decodeBytes(path: string, bytes: Uint8Array, opts: DecodeOptions = {}): ReadResult {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const reject = (code: Parameters<typeof diag>[0], message: string): ReadResult => ({
    ok: false,
    rejected: { path, sha256, bytes: bytes.length, reason: diag(code, { file: path }, message) },
  });
  const diagnostics: Diagnostic[] = [];

  for (const [name, sig] of BINARY_MAGIC) {
    if (startsWith(bytes, sig)) return reject('read/binary', `${path} is a ${name}, not a text file.`);
  }

  let text: string;
  let encoding = 'utf-8';
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      text = new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(2));
    } catch {
      return reject('read/invalid-utf8', `${path} starts with a UTF-16 byte-order mark but is not valid UTF-16.`);
    }
  } else {
    const nul = bytes.indexOf(0);
    if (nul >= 0) {
      const line = countLines(bytes, nul);
      return reject('read/binary', `${path} contains a NUL byte at offset ${nul} (line ${line}): it is binary, not text.`);
    }
    try {
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      const scan = scanUtf8(bytes);
      const bad = scan.firstInvalid;
      const line = countLines(bytes, bad);
      if (scan.validMultiByteBytes > 0 && scan.invalidBytes <= scan.validMultiByteBytes) {
        // UTF-8 with a few broken sequences (a bad copy, a lone surrogate): keep every valid
        // character and mark the broken ones, rather than turn the whole file into mojibake.
        text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
        diagnostics.push(diag('read/invalid-utf8-replaced', { file: path, line }, `${path} has invalid UTF-8 in ${scan.invalid} place(s) (the first on line ${line}); the bad bytes were replaced with U+FFFD.`));
      } else if (!looksLikeLegacyText(bytes)) {
        return reject('read/invalid-utf8', `${path} is not valid UTF-8 (first bad byte at offset ${bad}, line ${line}) and does not look like text in another encoding.`);
      } else {
        encoding = 'windows-1252';
        text = decodeWindows1252(bytes);
        diagnostics.push(diag('read/decoded-legacy', { file: path, line }, `${path} is not UTF-8 (first non-UTF-8 byte on line ${line}); decoded as Windows-1252.`));
      }
    }
  }

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  text = text.replace(/\r\n?/g, '\n');
  // Control characters other than tab and newline are not content; note and drop them.
  const controls = text.match(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g);
  if (controls) {
    if (controls.length > Math.max(32, text.length * 0.1)) {
      return reject('read/binary', `${path} is mostly control characters (${controls.length} of ${text.length}): it is binary, not text.`);
    }
    text = text.replace(/[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
    diagnostics.push(diag('read/control-chars', { file: path }, `${controls.length} control character(s) removed from ${path}.`));
  }
  text = text.normalize('NFC');
  if (text.trim() === '') {
    return reject('read/empty', bytes.length === 0 ? `${path} is empty.` : `${path} holds only white space.`);
  }
  const format = opts.format ?? (looksLikeHtml(text) ? 'html' : formatFromPath(path) ?? 'text');
  return { ok: true, doc: { path, sha256, format, bytes: bytes.length, encoding, text, diagnostics } };
}

/**
 * Windows-1252 characters of bytes 0x80-0x9F (the rest of the code page is Latin-1).
 * Node 20's `TextDecoder('windows-1252')` decodes as Latin-1 and turns "–" (0x96) or "’"
 * (0x92) into C1 control characters, so the table is applied here. Unassigned bytes
 * (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay as their C1 code points.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];

/** Decodes Windows-1252 bytes (Latin-1 plus the 0x80-0x9F table above). */
export function decodeWindows1252(bytes: Uint8Array): string {
  const out: string[] = [];
  const CHUNK = 8192;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    const codes: number[] = [];
    const end = Math.min(bytes.length, i + CHUNK);
    for (let k = i; k < end; k++) {
      const b = bytes[k]!;
      codes.push(b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80]! : b);
    }
    out.push(String.fromCharCode(...codes));
  }
  return out.join('');
}

function countLines(bytes: Uint8Array, upTo: number): number {
  let line = 1;
  for (let i = 0; i < upTo && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Walks the bytes as UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF): how many bytes belong to valid multi-byte characters and how many are not
 * UTF-8, in how many broken places (runs of bad bytes), and the offset of the first broken
 * one (the length when there is none). A file is repaired as UTF-8 only when its bad bytes are
 * no more than its valid multi-byte ones: a few broken sequences in real UTF-8 text, not noise
 * (random high bytes form valid pairs by chance, but about three bad bytes for each good one).
 */
function scanUtf8(bytes: Uint8Array): { validMultiByteBytes: number; invalidBytes: number; invalid: number; firstInvalid: number } {
  let validMultiByteBytes = 0;
  let invalidBytes = 0;
  let invalid = 0;
  let firstInvalid = bytes.length;
  let inBad = false;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      inBad = false;
      i++;
      continue;
    }
    const len = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    let ok = len > 0 && i + len <= bytes.length;
    for (let k = 1; ok && k < len; k++) {
      const c = bytes[i + k]!;
      ok = k === 1 ? c >= lo && c <= hi : (c & 0xc0) === 0x80;
    }
    if (ok) {
      validMultiByteBytes += len;
      i += len;
    } else {
      if (invalid === 0) firstInvalid = i;
      invalidBytes++;
      if (!inBad) invalid++; // a run of bad bytes is one broken place
      inBad = true;
      i++;
      continue;
    }
    inBad = false;
  }
  return { validMultiByteBytes, invalidBytes, invalid, firstInvalid };
}

/**
 * True when non-UTF-8 bytes look like a single-byte Western encoding: mostly printable ASCII,
 * and the high bytes are letters/punctuation of Windows-1252 rather than noise.
 */
function looksLikeLegacyText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 1 << 20);
  let printable = 0;
  let high = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f)) printable++;
    else if (b >= 0xa0 || [0x80, 0x84, 0x85, 0x91, 0x92, 0x93, 0x94, 0x96, 0x97].includes(b)) high++;
  }
  return printable / n > 0.85 && (printable + high) / n > 0.97;
}
