import { countryCode } from './countries.ts';
import type { FieldRule } from './rule.ts';
import { classifyPart } from './source-note.ts';

/**
 * A German (or English) country prefix at the start of a title: "Kanada. ", "Süd-Afrika. ",
 * "USA. ", "Vereinigte Staaten. ". Up to three words before the full stop; the name must be
 * a known country, so "INPUD. " and "EMCDDA. " are not prefixes.
 */
const PREFIX_RE = /^([\p{L}][\p{L}\-\u2010\u2011]*(?:[ \u00a0][\p{L}][\p{L}\-]*){0,2})\.[\s\u00a0]+\S/u;

/** An author list as it follows a country prefix in citations: "USA. Zang X, Walley AY, ...". */
const AUTHOR_AFTER_PREFIX_RE = /^[\p{L}][\p{L}\-]+(?:\.|[ \u00a0][\p{L}\-]+)*\.[\s\u00a0]+\p{Lu}[\p{L}'\-]+[ \u00a0]\p{Lu}{1,3}[,.]/u;

/** Two or three countries in one prefix: "England und Wales. ", "USA/Kanada. ", "Spanien & Portugal. ". */
const MULTI_PREFIX_RE = /^([\p{L}][\p{L}\-\u2010\u2011 \u00a0]*?(?:[ \u00a0]*(?:\/|&|,)[ \u00a0]*|[ \u00a0]+(?:und|and|u\.)[ \u00a0]+)[\p{L}][\p{L}\-\u2010\u2011 \u00a0]*?(?:(?:[ \u00a0]*(?:\/|&|,)[ \u00a0]*|[ \u00a0]+(?:und|and|u\.)[ \u00a0]+)[\p{L}][\p{L}\-\u2010\u2011 \u00a0]*?)?)\.[\s\u00a0]+\S/u;

/**
 * Extracts the country a title prefix states ("Kanada. …"). A prefix naming several countries
 * ("England und Wales.", "USA/Kanada.") states the first of them; every part must be a
 * country, so "Drugs and Crime. …" is no prefix.
 */
export function titlePrefixCountry(title: string): { code: string; text: string } | null {
  const m = PREFIX_RE.exec(title);
  const code = m ? countryCode(m[1]!) : null;
  if (m && code) return { code, text: `${m[1]}.` };
  const multi = MULTI_PREFIX_RE.exec(title);
  if (!multi) return null;
  const codes = multi[1]!.split(/[ \u00a0]*(?:\/|&|,)[ \u00a0]*|[ \u00a0]+(?:und|and|u\.)[ \u00a0]+/).map((p) => countryCode(p));
  if (codes.length < 2 || codes.some((c) => !c)) return null;
  return { code: codes[0]!, text: `${multi[1]}.` };
}

/**
 * Country rules, in order. The title prefix is the editor's own statement and wins over the
 * publisher's country in the source note ("Kanada. …" with "(Drug Reporter, Ungarn, …)" is CA).
 */
export const COUNTRY_RULES: readonly FieldRule<string>[] = [
  {
    id: 'country/title-prefix',
    find({ draft }) {
      const hit = titlePrefixCountry(draft.title);
      return hit ? { value: hit.code, line: draft.titleLine, text: hit.text } : null;
    },
  },
  {
    id: 'country/source-note',
    find({ note }) {
      if (!note) return null;
      for (const part of note.parts) {
        if (classifyPart(part) === 'country') {
          const code = countryCode(part);
          if (code) return { value: code, line: note.line, text: part };
        }
      }
      return null;
    },
  },
  {
    // "USA. Zang X, Walley AY, …" — a citation's author line prefixed by a country.
    id: 'country/author-line-prefix',
    find({ lines }) {
      for (const l of lines) {
        const t = l.text.trim();
        if (!AUTHOR_AFTER_PREFIX_RE.test(t)) continue;
        const hit = titlePrefixCountry(t);
        if (hit) return { value: hit.code, line: l.line, text: hit.text };
      }
      return null;
    },
  },
];
