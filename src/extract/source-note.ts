import type { Block, SourceNote } from '../types.ts';
import { countryCode } from './countries.ts';
import { readDate } from './dates.ts';

/** Notes that name no publisher ("(Homepage)"): a note, but not a source. */
export const NON_SOURCE_NOTES = /^(homepage|website|webseite|web ?site|internetseite|pdf|video|podcast|audio|film|pressemitteilung|press release)$/i;

/** Trailing extras after the date: "Video, 35:09", "PDF", "Podcast, 48:12", "S. 12". */
const EXTRA_RE = /^(video|audio|podcast|film|pdf|webinar|interview|präsentation|presentation|slides|folien|englisch|english|deutsch|german)\b|^\d{1,2}:\d{2}(:\d{2})?( min\.?)?$|^(s\.|p\.|pp\.|seite|page)\s*\d+/i;

/** What a part of a source note is. */
export type NotePartKind = 'date' | 'country' | 'extra' | 'name';

/** Classifies one comma-separated part of a source note. */
export function classifyPart(part: string): NotePartKind {
  const p = part.trim();
  if (countryCode(p)) return 'country';
  if (EXTRA_RE.test(p)) return 'extra';
  const d = readDate(p);
  // A part is a date when the date is (nearly) all of it: "15.09.2022", "Juni 2022",
  // "aufgerufen 12.03.2023". "Institute for 2020 Studies" is a name.
  if (d && (d.text.length >= p.length - 3 || /^(aufgerufen|abgerufen|accessed|stand|zugriff)/i.test(p))) return 'date';
  return 'name';
}

/** Splits on commas that are not inside nested parentheses. */
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
  return parts.map((p) => p.replace(/[\s\u00a0]+/g, ' ').trim()).filter((p) => p.length > 0);
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

/** True when the "(" at `i` opens at the block start or after the end of a sentence. */
function opensAfterSentence(text: string, i: number): boolean {
  const before = text.slice(0, i).replace(/[\s\u00a0]+$/, '');
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
  const trimmed = text.replace(/[\s\u00a0]+$/, '');
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
      const ch = trimmed[i];
      if (ch === ')') depth++;
      else if (ch === '(') {
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
        return { inner: inner.replace(/[\s\u00a0]+/g, ' ').trim(), line: lineAt(open), closed: true, parts: splitTopLevel(inner) };
      }
    }
    return null;
  }

  // Unclosed: the outermost '(' that is never closed.
  let depth = 0;
  let open = -1;
  for (let i = 0; i < trimmed.length; i++) {
    const ch = trimmed[i];
    if (ch === '(') {
      if (depth === 0) open = i;
      depth++;
    } else if (ch === ')' && depth > 0) depth--;
  }
  if (depth > 0 && open >= 0) {
    const inner = trimmed.slice(open + 1);
    const parts = splitTopLevel(inner);
    const last = parts[parts.length - 1];
    // Only when it ends like a note: its last part is a date or a country.
    if (last && (classifyPart(last) === 'date' || classifyPart(last) === 'country') && inner.length <= 600) {
      return { inner: inner.replace(/[\s\u00a0]+/g, ' ').trim(), line: lineAt(open), closed: false, parts };
    }
  }
  return null;
}

/**
 * The text of the block without its source note (for language detection and fingerprints).
 */
export function stripNote(text: string, note: SourceNote | null): string {
  if (!note) return text;
  const flat = text.replace(/[\s\u00a0]+/g, ' ').trim();
  const at = flat.lastIndexOf(`(${note.inner}`);
  return at >= 0 ? flat.slice(0, at).trim() : flat;
}
