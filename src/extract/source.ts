import { readCitations } from './citation.ts';
import type { FieldRule } from './rule.ts';
import { classifyPart, NON_SOURCE_NOTES } from './source-note.ts';

/** A label opening a source note: "Quelle:", "Quellen:", "Source:", "Via:". */
const SOURCE_LABEL_RE = /^(?:quellen?|sources?|via)[\s\u00a0]*:[\s\u00a0]*/i;
/** A byline: "von Jane Doe", "by Jane Doe", "Von J. Doe und M. Roe". */
const BYLINE_RE = /^(?:von|by)[\s\u00a0]+\p{Lu}/u;

/**
 * The publisher named in a source note: the name parts before the first date or country.
 * "(Filter, USA, 12.05.2021)" -> Filter; "(Drug Reporter, Ungarn, und INPUD, …)" -> Drug Reporter.
 * When the note opens with a person and a role ("(Jane Doe, co-founder of …, The Kansas City
 * Star, USA, …)": a part after the first starts in lower case), the outlet is the last name
 * part before the slot.
 */
export function sourceFromNoteParts(parts: readonly string[]): string | null {
  const names: string[] = [];
  for (const raw of parts) {
    // "(Quelle: CDC, USA, …)", "(Source: Filter, …)": the label is the editor's, not the name.
    const p = names.length ? raw : raw.replace(SOURCE_LABEL_RE, '');
    const kind = classifyPart(p);
    if (kind === 'date' || kind === 'country') break;
    // Extras ("Video", "PDF") end the names, or are skipped when they open the note.
    if (kind === 'extra') {
      if (names.length) break;
      continue;
    }
    // "(Pressemitteilung, Deutsche Gesellschaft für Suchtmedizin, …)": a kind of document, not a publisher.
    if (!NON_SOURCE_NOTES.test(p)) names.push(p);
  }
  // "(von Jane Doe, CBC News, Kanada, …)", "(by Jane Doe, The Guardian, …)": a byline before
  // the outlet is the author, not the source (kept when nothing else is named).
  while (names.length > 1 && BYLINE_RE.test(names[0]!)) names.shift();
  if (!names.length) return null;
  if (names.length >= 3 && names.slice(1, -1).some((p) => /^\p{Ll}/u.test(p))) return names[names.length - 1]!;
  return names[0]!;
}

/**
 * Source rules, in order: the source note (the editor's statement of the publisher) first,
 * then the venue of a citation.
 */
export const SOURCE_RULES: readonly FieldRule<string>[] = [
  {
    id: 'source/note',
    find({ note }) {
      if (!note) return null;
      const value = sourceFromNoteParts(note.parts);
      return value ? { value, line: note.line, text: `(${note.inner}${note.closed ? ')' : ''}` } : null;
    },
  },
  {
    id: 'source/citation',
    find({ lines }) {
      const hit = readCitations(lines).find((h) => h.venue);
      return hit ? { value: hit.venue!, line: hit.line.line, text: hit.line.text.trim() } : null;
    },
  },
];
