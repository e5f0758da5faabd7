import type { Diagnostic, Severity } from './types.ts';

/**
 * Every diagnostic code digest-etl emits, with its severity and what it means. The README's
 * table is generated from the same words; add a code here before emitting it.
 */
export const DIAGNOSTIC_CODES = {
  'read/not-found': ['error', 'The path does not exist.'],
  'read/unreadable': ['error', 'The file exists but cannot be read (permissions, a folder loop, an I/O error).'],
  'read/binary': ['error', 'The file is not text (NUL bytes, a known binary signature or mostly control bytes).'],
  'read/invalid-utf8': ['error', 'The bytes are neither valid UTF-8 nor a recognised single-byte encoding.'],
  'read/empty': ['error', 'The file is empty or holds only white space.'],
  'read/too-large': ['error', 'The file is larger than the configured maximum.'],
  'read/invalid-utf8-replaced': ['warning', 'A UTF-8 file holds a few invalid byte sequences; each was replaced with U+FFFD and the rest kept.'],
  'read/decoded-legacy': ['info', 'The file was not UTF-8 and was decoded from a legacy encoding (named in the message).'],
  'read/control-chars': ['warning', 'Control characters were removed from the text.'],
  'read/html-deep-nesting': ['warning', 'HTML elements nest deeper than 512 levels; the text is still read.'],
  'read/html-too-deep': ['error', 'HTML nests so deeply (over 50,000 levels) that it is not parsed.'],
  'read/html-unparseable': ['error', 'The HTML parser failed on the page.'],
  'read/markdown-as-text': ['warning', 'A stretch of Markdown is too large or too deeply nested to parse safely; it is read as plain text.'],
  'read/markdown-unparseable': ['warning', 'The Markdown parser failed on a piece; that piece is read as plain text.'],
  'segment/chrome': ['info', 'A line of page chrome (such as "A- A A+") was dropped.'],
  'segment/orphan-text': ['warning', 'Text that belongs to no entry (for example before the first title).'],
  'segment/no-entries': ['error', 'The document holds text but no entry could be cut out of it.'],
  'source-note/unclosed': ['warning', 'A source parenthetical is opened but never closed.'],
  'source/missing': ['info', 'No source (publisher, outlet or journal) was found.'],
  'date/invalid': ['warning', 'A date is written but impossible or malformed (e.g. "15.97.2020"); only what is certain is kept.'],
  'date/missing': ['info', 'No publication date was found.'],
  'date/accessed': ['info', 'The only date is an access date ("aufgerufen ..."), not a publication date.'],
  'doi/malformed': ['warning', 'Something is marked as a DOI but is not one.'],
  'text/title-repeated-in-body': ['warning', 'The entry\'s own title is pasted into its body (corrupted text).'],
  'language/undetermined': ['info', 'The text is too short or too mixed to tell its language.'],
  'entry/empty-title': ['error', 'The entry has no usable title.'],
  'entry/too-large': ['error', 'The entry is larger than the configured maximum.'],
  'dedupe/near-duplicate': ['info', 'The entry was merged into an item by similarity (the similarity is recorded).'],
  'dedupe/repeated-title': ['info', 'A stray repeated title line was merged into the entry it repeats.'],
} as const satisfies Record<string, readonly [Severity, string]>;

/** A known diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** Shortens text for a diagnostic excerpt (one line, at most `max` characters). */
export function excerpt(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/**
 * Builds a diagnostic with the severity registered for its code.
 * @param code a code from DIAGNOSTIC_CODES
 * @param at where: file, and line/entry position when known
 * @param message one readable sentence
 */
export function diag(
  code: DiagnosticCode,
  at: { file: string; line?: number | null; n?: number | null },
  message: string,
  extra: { excerpt?: string | null; data?: Record<string, unknown> } = {},
): Diagnostic {
  const d: Diagnostic = {
    code,
    severity: DIAGNOSTIC_CODES[code][0],
    message,
    file: at.file,
    line: at.line ?? null,
    n: at.n ?? null,
  };
  if (extra.excerpt != null) d.excerpt = excerpt(extra.excerpt);
  if (extra.data) d.data = extra.data;
  return d;
}

/** Formats a diagnostic the way a person reads it: `file:line: message [code]`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line != null ? `${d.file}:${d.line}` : d.file;
  return `${where}: ${d.message} [${d.code}]`;
}
