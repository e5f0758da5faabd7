import type { Block, SourceNote } from '../types.ts';
import { countryCode } from './countries.ts';
import { MONTH_RE, readDate } from './dates.ts';
import { collapseSpace } from './space.ts';

/** Notes that name no publisher ("(Homepage)"): a note, but not a source. */
export const NON_SOURCE_NOTES = /^(homepage|website|webseite|web ?site|internetseite|pdf|video|podcast|audio|film|pressemitteilung|press release)$/i;

/** Trailing extras after the date: "Video, 35:09", "PDF", "Podcast, 48:12", "S. 12". */
const EXTRA_RE = /^(video|audio|podcast|film|pdf|webinar|interview|präsentation|presentation|slides|folien|englisch|english|deutsch|german)\b|^\d{1,2}:\d{2}(:\d{2})?( min\.?)?$|^(s\.|p\.|pp\.|seite|page)\s*\d+/i;

/**
 * A line that only carries a link or an identifier after the text of an entry: a URL, a short
 * label and a URL ("Mehr Informationen: https://…"), a PMID/PMCID/DOI line.
 */
const LINK_LINE_RE = /^(?:(?:[\p{L}\d][\p{L}\d .'\u2019\-]{0,40}:[\s\u00a0]*)?(?:https?:\/\/|www\.)\S+|(?:PMID|PMCID|doi|DOI)\b.*)$/u;

/**
 * True when a line is a trailer after an entry's text, not text: a link or identifier line
 * (see above) or a line of extras only ("Video, 35:09", "PDF").
 */
export function isTrailerLine(text: string): boolean {
  const t = text.trim();
  if (!t) return false;
  return LINK_LINE_RE.test(t) || t.split(',').every((p) => EXTRA_ONLY_RE.test(p.trim()));
}

/** A part that is nothing but an extra: "Video", "35:09", "PDF", "2 MB", "S. 12". */
const EXTRA_ONLY_RE = /^(?:video|audio|podcast|film|pdf|webinar|präsentation|presentation|slides|folien|englisch|english|deutsch|german|\d{1,2}:\d{2}(?::\d{2})?(?: min\.?)?|\d+(?:[.,]\d+)?[\s\u00a0]*(?:kb|mb|gb)|(?:s\.|p\.|pp\.|seite|page)[\s\u00a0]*\d+)$/i;

/**
 * The part of an entry's body that may end in its source note: the last block, without the
 * trailer lines after the note (links, identifiers, "Video, 35:09"); a block of trailer lines
 * only is skipped for the one before it.
 */
export function noteBlock(body: readonly Block[]): Block | undefined {
  for (let i = body.length - 1; i >= 0; i--) {
    const b = body[i]!;
    let end = b.lines.length;
    while (end > 0 && isTrailerLine(b.lines[end - 1]!.text)) end--;
    if (end > 0) return end === b.lines.length ? b : { ...b, lines: b.lines.slice(0, end) };
  }
  return undefined;
}

/**
 * Words that introduce the date of a note part: access ("aufgerufen 12.03.2023") or
 * publication ("veröffentlicht am 21.07.2021", "published on 3 May 2021", "vom 12.05.2021").
 */
const DATE_LEAD_RE = /^(?:aufgerufen|abgerufen|accessed|stand|zugriff|veröffentlicht|erschienen|publiziert|published|posted|updated|aktualisiert|vom)\b(?:[\s\u00a0]+(?:am|on|den))?:?[\s\u00a0]*/i;

/** What a part of a source note is. */
export type NotePartKind = 'date' | 'country' | 'extra' | 'name';

/** Classifies one comma-separated part of a source note. */
export function classifyPart(part: string): NotePartKind {
  const p = part.trim();
  if (countryCode(p)) return 'country';
  if (EXTRA_RE.test(p)) return 'extra';
  const d = readDate(p);
  // A part is a date when the date is (nearly) all of it after a lead word: "15.09.2022",
  // "Juni 2022", "veröffentlicht am 21.07.2021"; an access date ("aufgerufen …") whatever
  // follows it. "Institute for 2020 Studies" and "Vom Rausch zur Sucht 2021" are names.
  const lead = DATE_LEAD_RE.exec(p);
  const rest = lead ? p.slice(lead[0].length) : p;
  if (d && (d.text.length >= rest.length - 3 || (d.flag === 'accessed' && lead))) return 'date';
  return 'name';
}

/** "May 12", "Sept. 3rd": the first half of an English date written "May 12, 2021". */
const MONTH_DAY_RE = new RegExp(`^(?:${MONTH_RE})\\.?[\\s\\u00a0]+\\d{1,2}(?:st|nd|rd|th)?$`, 'i');

/** Splits on commas that are not inside nested parentheses (nor inside "May 12, 2021"). */
export function splitTopLevel(inner: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  const out = parts.map((p) => collapseSpace(p).trim()).filter((p) => p.length > 0);
  // "May 12, 2021": the comma of an English date is not a separator of the note.
  for (let i = out.length - 2; i >= 0; i--) {
    if (MONTH_DAY_RE.test(out[i]!) && /^(?:19|20)\d{2}\b/.test(out[i + 1]!)) out.splice(i, 2, `${out[i]}, ${out[i + 1]}`);
  }
  return out;
}


/** True when the inner text reads like a source note rather than an aside or an acronym. */
function looksLikeNote(inner: string, opensAfterSentence: boolean): boolean {
  const t = inner.trim();
  if (!t || t === '…' || t === '...') return false;
  if (NON_SOURCE_NOTES.test(t)) return true;
  const parts = splitTopLevel(t);
  if (parts.some((p) => {
    const k = classifyPart(p);
    return k === 'date' || k === 'country';
  })) return true;
  // "(The Federal Ministry ..., Frankfurt University ...)" after a full stop: a list of publishers.
  return opensAfterSentence && /^[\p{Lu}\d"„“]/u.test(t) && t.length <= 600;
}

/** Char codes of "(" and ")". */
const OPEN = 40;
const CLOSE = 41;

/** True when the "(" at `i` opens at the block start or after the end of a sentence. */
function opensAfterSentence(text: string, i: number): boolean {
  const before = text.slice(0, i).trimEnd(); // trimEnd drops exactly /[\s\u00a0]+$/
  return before === '' || /[.!?…"”“»)]$/.test(before);
}

/**
 * Finds the source parenthetical that closes an entry: the last "(…)" at the very end of the
 * entry's last block, nested parentheses kept ("(Cochrane Deutschland Stiftung (CDS), …)").
 * Also finds a note that is opened but never closed, and a note with one ')' too many
 * (it then starts at the last '(' that follows a full stop). Returns null when the entry
 * does not end in a note.
 */
export function findSourceNote(last: Block): SourceNote | null {
  const text = last.lines.map((l) => l.text).join('\n');
  // trimEnd drops exactly what /[\s\u00a0]+$/ matched (\s is trim's white space and line
  // terminators, U+00A0 among them), without trying the expression at every space of the text.
  const trimmed = withoutTrailer(text.trimEnd());
  const lineAt = (offset: number) => {
    let acc = 0;
    for (const l of last.lines) {
      acc += l.text.length + 1;
      if (offset < acc) return l.line;
    }
    return last.lines[last.lines.length - 1]!.line;
  };

  if (trimmed.endsWith(')')) {
    let depth = 0;
    let open = -1;
    for (let i = trimmed.length - 1; i >= 0; i--) {
      const ch = trimmed.charCodeAt(i);
      if (ch === CLOSE) depth++;
      else if (ch === OPEN) {
        depth--;
        if (depth === 0) {
          open = i;
          break;
        }
      }
    }
    if (open < 0) {
      // Unbalanced: one ')' too many. The note starts at the last '(' after a sentence end.
      for (let i = trimmed.length - 1; i >= 0; i--) {
        if (trimmed[i] === '(' && opensAfterSentence(trimmed, i)) {
          open = i;
          break;
        }
      }
    }
    if (open >= 0) {
      const inner = trimmed.slice(open + 1, -1);
      if (looksLikeNote(inner, opensAfterSentence(trimmed, open))) {
        return { inner: collapseSpace(inner).trim(), line: lineAt(open), closed: true, parts: splitTopLevel(inner) };
      }
    }
    return null;
  }

  // Unclosed: the outermost '(' that is never closed.
  let depth = 0;
  let open = -1;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed.charCodeAt(i);
    if (ch === OPEN) {
      if (depth === 0) open = i;
      depth++;
    } else if (ch === CLOSE && depth > 0) depth--;
  }
  if (depth > 0 && open >= 0) {
    const inner = trimmed.slice(open + 1);
    const parts = splitTopLevel(inner);
    const last = parts[parts.length - 1];
    // Only when it ends like a note: its last part is a date or a country.
    if (last && (classifyPart(last) === 'date' || classifyPart(last) === 'country') && inner.length <= 600) {
      return { inner: collapseSpace(inner).trim(), line: lineAt(open), closed: false, parts };
    }
  }
  return null;
}

/**
 * A text without a trailer written on the same line after its last ")": "(Filter, USA,
 * 12.05.2021) https://…", "(ORF, Österreich, 3.2.2022) Video, 4:12". A trailer on a line of its
 * own is left to noteBlock; anything else after the ")" is text, and the text is returned as it is.
 */
function withoutTrailer(text: string): string {
  const close = text.lastIndexOf(')');
  if (close < 0 || close === text.length - 1) return text;
  const tail = text.slice(close + 1);
  return !tail.includes('\n') && isTrailerLine(tail) ? text.slice(0, close + 1) : text;
}

/**
 * The text of the block without its source note (for language detection and fingerprints).
 */
export function stripNote(text: string, note: SourceNote | null): string {
  if (!note) return text;
  const flat = collapseSpace(text).trim();
  const at = flat.lastIndexOf(`(${note.inner}`);
  return at >= 0 ? flat.slice(0, at).trim() : flat;
}
