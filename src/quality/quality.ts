import { diag } from '../diagnostics.ts';
import { titlePrefixCountry } from '../extract/country.ts';
import type { Diagnostic, Entry, ExtractedEntry, FieldName, Found, Provenance } from '../types.ts';

/** Largest entry (title + body characters) that is loaded; larger ones are rejected. */
export const MAX_ENTRY_CHARS = 1_000_000;

function prov<T>(f: Found<T> | null): Provenance | null {
  return f ? { rule: f.rule, line: f.line, text: f.text } : null;
}

/** The title without a country prefix ("Kanada. X" -> "X"). */
export function titleWithoutPrefix(title: string): string {
  const p = titlePrefixCountry(title);
  return p ? title.slice(title.indexOf(p.text) + p.text.length).trim() : title;
}

/**
 * The `quality` stage: turns an extracted entry and its language into the final Entry and adds
 * the per-entry diagnostics (missing source or date, invalid or access dates, a title pasted
 * into the body, unusable entries). Entries over `maxEntryChars` (title + body characters,
 * default MAX_ENTRY_CHARS; the pipeline setting `maxEntryChars`) are rejected as `entry/too-large`.
 */
export function checkQuality(e: ExtractedEntry, language: Found<string>, languageDiagnostics: Diagnostic[], maxEntryChars: number = MAX_ENTRY_CHARS): Entry {
  const { draft, fields } = e;
  const at = { file: draft.file, n: draft.n };
  const diagnostics: Diagnostic[] = [...e.diagnostics, ...languageDiagnostics];
  const date = fields.date?.value ?? null;

  if (!draft.title.trim() || !/[\p{L}\p{N}]/u.test(draft.title)) {
    diagnostics.push(diag('entry/empty-title', { ...at, line: draft.titleLine }, 'The entry has no usable title (no letters or digits).', { excerpt: draft.title }));
  }
  if (draft.title.length + e.body.length > maxEntryChars) {
    diagnostics.push(diag('entry/too-large', { ...at, line: draft.titleLine }, `The entry has ${draft.title.length + e.body.length} characters, more than the limit of ${maxEntryChars}.`));
  }
  if (!fields.source) {
    diagnostics.push(diag('source/missing', { ...at, line: draft.titleLine }, 'No source note or citation names a publisher.'));
  }
  if (!date) {
    diagnostics.push(diag('date/missing', { ...at, line: draft.titleLine }, 'No publication date in a source note or citation.'));
  } else if (date.flag === 'invalid') {
    diagnostics.push(diag('date/invalid', { ...at, line: fields.date!.line }, `The date "${fields.date!.text}" is impossible or malformed; kept only ${date.date ? `the year ${date.date}` : 'nothing'}.`, { excerpt: fields.date!.text }));
  } else if (date.flag === 'accessed') {
    diagnostics.push(diag('date/accessed', { ...at, line: fields.date!.line }, `"${fields.date!.text}" is an access date, not a publication date.`, { excerpt: fields.date!.text }));
  }
  // A corrupted entry: its own title pasted into the body, glued to a word ("stigmatizUSA. The
  // cycle … mistakeed"). A body that merely opens by repeating the name is not corrupted.
  const pasted = titlePastedAt(draft.title, e.body);
  if (pasted) {
    const core = pasted;
    const line = draft.body.flatMap((b) => b.lines).find((l) => l.text.includes(core.slice(0, 40)))?.line ?? draft.titleLine;
    diagnostics.push(diag('text/title-repeated-in-body', { ...at, line }, 'The entry\'s own title appears inside its body (corrupted text).', { excerpt: core }));
  }

  const provenance: Record<FieldName, Provenance | null> = {
    title: { rule: 'title/first-line', line: draft.titleLine, text: draft.title },
    country: prov(fields.country),
    source: prov(fields.source),
    date: prov(fields.date),
    doi: prov(fields.doi),
    pmid: prov(fields.pmid),
    pmcid: prov(fields.pmcid),
    language: prov(language),
  };
  return {
    file: draft.file,
    n: draft.n,
    title: draft.title,
    body: e.body,
    source: fields.source?.value ?? null,
    country: fields.country?.value ?? null,
    date: date?.date ?? null,
    datePrecision: date?.precision ?? null,
    dateFlag: date?.flag ?? null,
    doi: fields.doi?.value ?? null,
    pmid: fields.pmid?.value ?? null,
    pmcid: fields.pmcid?.value ?? null,
    language: language.value,
    titleLine: draft.titleLine,
    endLine: draft.endLine,
    provenance,
    diagnostics,
  };
}

/** The title as found glued into the body (a letter right before or after it), or null. */
export function titlePastedAt(title: string, body: string): string | null {
  for (const t of [title, titleWithoutPrefix(title)]) {
    if (t.length < 20) continue;
    let from = 0;
    for (;;) {
      const i = body.indexOf(t, from);
      if (i < 0) break;
      const before = body[i - 1] ?? '';
      const after = body[i + t.length] ?? '';
      if (/\p{L}/u.test(before) || (/\p{L}/u.test(after) && /\p{L}$/u.test(t))) return t;
      from = i + 1;
    }
  }
  return null;
}

/** True when the entry cannot be loaded (an error-severity diagnostic). */
export function isRejected(e: Entry): boolean {
  return e.diagnostics.some((d) => d.severity === 'error');
}
