import type { Line } from '../types.ts';
import { MONTH_RE } from './dates.ts';

/** A journal, venue or publisher read from a citation line, and the date it states. */
export interface CitationHit {
  rule: string;
  venue: string | null;
  line: Line;
  /** The part of the line that holds the date (for the date rules). */
  dateText: string | null;
}

const YEAR = '(?:19|20)\\d{2}';

/**
 * Citation rules, in order (most specific first). Each reads one line.
 * - vancouver: "Int J Drug Policy. 2020 Nov 9;88:103015." / "JAMA Netw Open. 2022;5(11):e2241174."
 *   / "MMWR Morb Mortal Wkly Rep 2021;70:202–207." (journal without commas, then the year)
 * - cochrane: "Cochrane Database of Systematic Reviews 2020, Issue 3. Art. No.: CD012880."
 * - doi-line: "Zenodo. doi.org/10.5281/zenodo.5514066" (a venue, then only a DOI)
 * - corporate: "Community Action Network. (2018), Dublin: …" (a corporate author, then the year;
 *   before apa-venue, which would read "Dublin: …")
 * - apa-venue: "… (2020) Addiction, doi.org/10.1111/add.15324." (the venue after the year)
 * - apa-year: "Touesnard, N., … (2021)." (an author line: the year only)
 */
const RULES: Array<{ id: string; re: RegExp; venue: (m: RegExpExecArray) => string | null; date: (m: RegExpExecArray) => string | null }> = [
  {
    id: 'citation/vancouver',
    re: new RegExp(`^(?:[\\p{Lu}]{2,}\\.\\s+)?(\\p{Lu}[^.;,()\\d]{1,90}?)\\.?[\\s\\u00a0]+(${YEAR}(?:[\\s\\u00a0]+(?:${MONTH_RE})\\.?(?:[\\s\\u00a0]+\\d{1,2})?)?)[\\s\\u00a0]*[;:.]`, 'iu'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/cochrane',
    re: new RegExp(`^(.{3,120}?)[\\s\\u00a0]+(${YEAR}),[\\s\\u00a0]*(?:Issue|Ausgabe|Volume|Vol\\.)[\\s\\u00a0]*\\d+`, 'i'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/doi-line',
    re: /^(\p{Lu}[\p{L}\d .&'\-]{1,60}?)\.[\s\u00a0]+(?:https?:\/\/)?(?:dx\.)?(?:doi\.org\/|doi:?[\s\u00a0]*)10\.\d{4,9}\//iu,
    venue: (m) => m[1]!.trim(),
    date: () => null,
  },
  {
    id: 'citation/corporate',
    re: new RegExp(`^(\\p{Lu}[^,()]{2,90}?)\\.[\\s\\u00a0]*\\((${YEAR})[a-z]?\\)`, 'u'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/apa-venue',
    re: new RegExp(`\\((${YEAR})[a-z]?(?:,[^)]*)?\\)\\.?,?[\\s\\u00a0]+(\\p{Lu}[^,.()]{1,80}?)(?:,|\\.)[\\s\\u00a0]*(?:https?:\\/\\/|doi|dx\\.|\\d|vol|$)`, 'iu'),
    // "(2018), Dublin: Community Action Network." -> the publisher after "City:".
    venue: (m) => m[2]!.trim().replace(/^\p{Lu}[\p{L} .-]{1,40}:[\s\u00a0]*/u, '') || null,
    date: (m) => m[1]!,
  },
  {
    id: 'citation/apa-year',
    re: new RegExp(`^\\p{Lu}[\\p{L}'\\-]+,[\\s\\u00a0]+.*\\((${YEAR})[a-z]?(?:,[^)]*)?\\)[.,]?`, 'u'),
    venue: () => null,
    date: (m) => m[1]!,
  },
];

/** Words that show a "venue" is really prose ("In 2020. …", "Published 2021;"). */
const NOT_A_VENUE = /^(in|im|published|erschienen|seit|since|from|bis|until|and|und|the year|das jahr|stand|updated)$/i;

/**
 * Reads the citation lines of an entry (body lines only). Returns every hit, in line order;
 * the first hit with a venue gives the source, the first hit with a date gives the date.
 */
export function readCitations(lines: readonly Line[]): CitationHit[] {
  const hits: CitationHit[] = [];
  for (const line of lines) {
    const text = line.text.trim();
    if (text.length > 600) continue; // a paragraph of prose, not a citation line
    for (const rule of RULES) {
      const m = rule.re.exec(text);
      if (!m) continue;
      const venue = rule.venue(m);
      if (venue && NOT_A_VENUE.test(venue)) continue;
      hits.push({ rule: rule.id, venue, line, dateText: rule.date(m) });
      break;
    }
  }
  return hits;
}

/** An author list: "Pauly BB, Mamdani Z, Mesley L, …" or "Touesnard, Natasha, Patten, San, …". */
export function isAuthorLine(text: string): boolean {
  const t = text.trim();
  if (/\bet al\b/.test(t)) return true;
  const commas = (t.match(/,/g) ?? []).length;
  const words = t.split(/[\s\u00a0]+/).length;
  return commas >= 2 && commas / words >= 0.3;
}
