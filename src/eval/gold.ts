import type { GoldEntry, GoldValue } from './types.ts';

/** Fields every gold object must have (ANNOTATION.md). */
const REQUIRED = [
  'file',
  'n',
  'title',
  'country',
  'source',
  'date',
  'date_flag',
  'doi',
  'pmid',
  'pmcid',
  'language',
  'item',
  'note',
] as const;

/** Gold fields that may hold one answer or a list of acceptable answers. */
const VALUE_FIELDS = [
  'country',
  'source',
  'date',
  'date_flag',
  'doi',
  'pmid',
  'pmcid',
  'language',
] as const;

/** The only values `date_flag` may take besides null. */
const DATE_FLAGS: ReadonlySet<string> = new Set(['invalid', 'accessed']);

/** Shortens a line for an error message. */
function excerpt(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads a single-answer-or-list gold value, or says why it is not one. */
function readValue(value: unknown, key: string): { value: GoldValue } | { error: string } {
  if (value === null || typeof value === 'string') return { value };
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return { error: `field "${key}" is an empty list (a list must name at least one acceptable answer)` };
    }
    const out: Array<string | null> = [];
    for (const element of value as unknown[]) {
      if (element !== null && typeof element !== 'string') {
        return {
          error: `field "${key}" holds ${JSON.stringify(element)}; list elements must be strings or null`,
        };
      }
      out.push(element);
    }
    return { value: out };
  }
  return { error: `field "${key}" must be a string, null or a list of those, not ${JSON.stringify(value)}` };
}

/** Throws the `FILE:LINE: message` error of a bad gold line. */
function fail(file: string, line: number, message: string): never {
  throw new Error(`${file}:${line}: ${message}`);
}

/**
 * Parses and validates a gold file (JSONL in the format of ANNOTATION.md). Blank lines are
 * skipped; a leading BOM and CRLF line ends are accepted.
 *
 * @param text - the file's contents.
 * @param file - the gold file's path, used in error messages.
 * @returns the entries in file order, each with the line it came from.
 * @throws Error whose message is `FILE:LINE: ...` for invalid JSON, a line that is not an
 *   object, a missing field, a value of the wrong type or a repeated `file`/`n` pair.
 */
export function parseGold(text: string, file: string): GoldEntry[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const entries: GoldEntry[] = [];
  const seen = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      fail(file, line, `invalid JSON (${reason}): ${excerpt(raw.trim())}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      fail(file, line, `expected a JSON object, got ${Array.isArray(parsed) ? 'an array' : JSON.stringify(parsed)}`);
    }
    const obj = parsed as Record<string, unknown>;
    const missing = REQUIRED.filter((key) => !Object.hasOwn(obj, key));
    if (missing.length > 0) {
      fail(file, line, `missing field${missing.length > 1 ? 's' : ''} ${missing.map((k) => `"${k}"`).join(', ')}`);
    }
    const fileName = obj['file'];
    if (typeof fileName !== 'string' || fileName.trim() === '') {
      fail(file, line, `field "file" must be a non-empty string, not ${JSON.stringify(fileName)}`);
    }
    const n = obj['n'];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      fail(file, line, `field "n" must be a positive integer, not ${JSON.stringify(n)}`);
    }
    const title = obj['title'];
    if (typeof title !== 'string') {
      fail(file, line, `field "title" must be a string, not ${JSON.stringify(title)}`);
    }
    for (const key of ['item', 'note'] as const) {
      const value = obj[key];
      if (value !== null && typeof value !== 'string') {
        fail(file, line, `field "${key}" must be a string or null, not ${JSON.stringify(value)}`);
      }
    }
    const values = {} as Record<(typeof VALUE_FIELDS)[number], GoldValue>;
    for (const key of VALUE_FIELDS) {
      const read = readValue(obj[key], key);
      if ('error' in read) fail(file, line, read.error);
      values[key] = read.value;
    }
    const flags = Array.isArray(values.date_flag) ? values.date_flag : [values.date_flag];
    for (const flag of flags) {
      if (flag !== null && !DATE_FLAGS.has(flag)) {
        fail(file, line, `field "date_flag" must be null, "invalid" or "accessed", not ${JSON.stringify(flag)}`);
      }
    }
    const key = `${fileName}#${n}`;
    const first = seen.get(key);
    if (first !== undefined) fail(file, line, `entry ${key} is already annotated at line ${first}`);
    seen.set(key, line);
    entries.push({
      file: fileName,
      n,
      title,
      ...values,
      item: obj['item'] as string | null,
      note: obj['note'] as string | null,
      line,
    });
  });
  return entries;
}
