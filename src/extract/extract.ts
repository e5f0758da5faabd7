import { diag } from '../diagnostics.ts';
import type { EntryDraft, ExtractedEntry, Line, RunContext, SourceNote } from '../types.ts';
import { COUNTRY_RULES } from './country.ts';
import { DATE_RULES } from './date.ts';
import { DOI_RULES, findUrls, malformedDoiLabels, PMCID_RULES, PMID_RULES } from './ids.ts';
import { firstMatch, type RuleInput } from './rule.ts';
import { SOURCE_RULES } from './source.ts';
import { findSourceNote, noteBlock } from './source-note.ts';

/** The body as one string: lines trimmed and joined by `\n`, blocks by a blank line. */
export function bodyText(draft: EntryDraft): string {
  return draft.body.map((b) => b.lines.map((l) => l.text.trim()).join('\n')).join('\n\n');
}

/** The source note at the end of a body-less entry's title line, when it names a source. */
function titleNote(draft: EntryDraft): SourceNote | null {
  const note = findSourceNote({ kind: 'paragraph', lines: [{ text: draft.title, line: draft.titleLine }], gapBefore: 2, links: [] });
  return note && note.closed && note.parts.length >= 2 ? note : null;
}

/**
 * The `extract` stage: reads every field of an entry with its ordered rule list, each value
 * keeping the rule and line it came from. Cross-field problems become diagnostics.
 */
export function extract(draft: EntryDraft, _ctx: RunContext): ExtractedEntry {
  const lines: Line[] = draft.body.flatMap((b) => b.lines);
  // The note closes the text; link or identifier lines may follow it ("Mehr Informationen: …").
  // An entry that is only its title line may carry its note on that line ("Title (Org, Land,
  // dd.mm.yyyy)"): then a note of a name and at least a date or country.
  const last = noteBlock(draft.body);
  const note = last ? findSourceNote(last) : titleNote(draft);
  const input: RuleInput = { draft, lines, note };
  const at = { file: draft.file, n: draft.n };
  const diagnostics = [...draft.diagnostics];

  const fields = {
    country: firstMatch(COUNTRY_RULES, input),
    source: firstMatch(SOURCE_RULES, input),
    date: firstMatch(DATE_RULES, input),
    doi: firstMatch(DOI_RULES, input),
    pmid: firstMatch(PMID_RULES, input),
    pmcid: firstMatch(PMCID_RULES, input),
    urls: [...new Set([...draft.links, ...findUrls(lines)])],
  };

  if (note && !note.closed) {
    diagnostics.push(diag('source-note/unclosed', { ...at, line: note.line }, 'The source note is opened with "(" but never closed.', { excerpt: `(${note.inner}` }));
  }
  for (const bad of malformedDoiLabels(lines)) {
    diagnostics.push(diag('doi/malformed', { ...at, line: bad.line }, `"${bad.text}" is marked as a DOI but is not one (a DOI starts with "10.").`, { excerpt: bad.text }));
  }
  return { draft, body: bodyText(draft), sourceNote: note, fields, diagnostics };
}
