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
/** Month names as a citation writes them ("Nov", "Juli"): capitalised, case-sensitive. */
const MONTH_TITLE_RE = MONTH_RE.split('|').map((m) => m[0]!.toUpperCase() + m.slice(1)).join('|');
/** What may follow a venue in an APA line: a URL or a DOI. */
const REF_AFTER_VENUE = 'https?:\\/\\/|[Dd][Oo][Ii]|dx\\.';

/**
 * Citation rules, in order (most specific first). Each reads one line.
 * - place-publisher: "Hyattsville, MD: National Center for Health Statistics. 2023." /
 *   "Geneva: World Health Organization; 2022." (a report or book: place, publisher, year;
 *   before vancouver, which would read "London: Release. 2021." as a journal "London: Release")
 * - vancouver: "Int J Drug Policy. 2020 Nov 9;88:103015." / "JAMA Netw Open. 2022;5(11):e2241174."
 *   / "MMWR Morb Mortal Wkly Rep 2021;70:202–207." (journal without commas, then the year)
 * - vancouver-inline: "Smith J, Jones K. Title. Addiction. 2019;114(5):800-10." (the whole
 *   reference on one line; the year must be followed by ";volume")
 * - cochrane: "Cochrane Database of Systematic Reviews 2020, Issue 3. Art. No.: CD012880."
 * - doi-line: "Zenodo. doi.org/10.5281/zenodo.5514066" (a venue, then only a DOI)
 * - corporate: "Community Action Network. (2018), Dublin: …", "Harm Reduction International
 *   (2022). Title." (a corporate author, then the year;
 *   before apa-venue, which would read "Dublin: …")
 * - springer: "Harm Reduct J 20, 164 (2023)." (BMC/Springer "cite this article": journal,
 *   volume, article number, year; before the apa rules, which would take an author list
 *   before it for an APA line)
 * - journal-year: "Sucht (2022), 68 (3), 145–152." (journal, year in parentheses, volume)
 * - volume-line: "International Journal of Drug Policy, Volume 88, February 2021, 103015"
 * - apa-venue: "… (2020) Addiction, doi.org/10.1111/add.15324." (the venue after the year)
 * - apa-journal: "… (2021). Title. Journal, 5(2), 1–10." (the journal after the title)
 * - author-year-vancouver: "Strang J, … (2015) Title. Br J Psychiatry 207(1):5-14." (APA's
 *   year, Vancouver's journal)
 * - apa-journal-line: "Journal of Community Harm Reduction, 14(2), 101–112." (the journal line
 *   of an APA reference whose authors and year are on the line before)
 * - apa-year: "Touesnard, N., … (2021).", "Strang J, … (2015)" (an author line: the year only)
 */
const RULES: Array<{
  id: string;
  re: RegExp;
  venue: (m: RegExpExecArray) => string | null;
  date: (m: RegExpExecArray) => string | null;
  /** The venue is a journal or repository title, so it must read as one (see isJournalTitle). */
  journal?: boolean;
  /** The venue is a publisher or corporate author, so it must read as one (see isOrganisationName). */
  organisation?: boolean;
}> = [
  {
    id: 'citation/place-publisher',
    organisation: true,
    // Place: one to three capitalised words, optionally ", MD" / ", UK"; the publisher up to
    // the full stop or semicolon that the year follows; the year ends the sentence.
    re: new RegExp(`(?:^|[.;][\\s\\u00a0]+)\\p{Lu}[\\p{L}'\\-]+(?:[\\s\\u00a0]\\p{Lu}[\\p{L}'\\-]+){0,2}(?:,[\\s\\u00a0]*\\p{Lu}[\\p{L}]{1,20})?:[\\s\\u00a0]*(\\p{Lu}[^.;:()]{2,100}?)[.;][\\s\\u00a0]*(${YEAR})[a-z]?(?:[.;,]|$)`, 'u'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/vancouver',
    journal: true,
    re: new RegExp(`^(?:[\\p{Lu}]{2,}\\.\\s+)?(\\p{Lu}[^.;,()\\d]{1,90}?)\\.?[\\s\\u00a0]+(${YEAR}(?:[\\s\\u00a0]+(?:${MONTH_RE})\\.?(?:[\\s\\u00a0]+\\d{1,2})?)?)[\\s\\u00a0]*[;:.]`, 'iu'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/vancouver-inline',
    journal: true,
    // The whole reference on one line, "Smith J, Jones K. Title. Addiction. 2019;114(5):800-10.":
    // the journal is the sentence that the year and ";volume" follow.
    re: new RegExp(`[.?!][\\s\\u00a0]+(\\p{Lu}[^.;,()\\d]{1,90}?)\\.?[\\s\\u00a0]+(${YEAR}(?:[\\s\\u00a0]+(?:${MONTH_TITLE_RE})\\.?(?:[\\s\\u00a0]+\\d{1,2})?)?)[\\s\\u00a0]*;[\\s\\u00a0]*\\d`, 'u'),
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
    journal: true,
    re: /^(\p{Lu}[\p{L}\d .&'\-]{1,60}?)\.[\s\u00a0]+(?:https?:\/\/)?(?:dx\.)?(?:doi\.org\/|doi:?[\s\u00a0]*)10\.\d{4,9}\//iu,
    venue: (m) => m[1]!.trim(),
    date: () => null,
  },
  {
    id: 'citation/corporate',
    organisation: true,
    // "Community Action Network. (2018), …" or "Harm Reduction International (2022). Title.":
    // an organisation (no commas, not a surname with initials such as "Smith J"), then the year.
    re: new RegExp(`^(\\p{Lu}[^,()]{2,90}?)(?:\\.[\\s\\u00a0]*\\((${YEAR})[a-z]?\\)|(?<![\\s\\u00a0]\\p{Lu}{1,3})[\\s\\u00a0]+\\((${YEAR})[a-z]?\\)\\.[\\s\\u00a0])`, 'u'),
    venue: (m) => m[1]!.trim(),
    date: (m) => (m[2] ?? m[3])!,
  },
  {
    id: 'citation/springer',
    journal: true,
    // Also the article page's "Harm Reduction Journal volume 18, Article number: 55 (2021)".
    re: new RegExp(`(?:^|[.?!][\\s\\u00a0]+)(\\p{Lu}[\\p{L}&'\\-]*(?:[\\s\\u00a0]+[\\p{L}&'\\-]+){0,8}?)(?:[\\s\\u00a0]+volume)?[\\s\\u00a0]+\\d{1,3},[\\s\\u00a0]*(?:Article(?: number)?:?[\\s\\u00a0]*)?[A-Za-z]?\\d{1,6}[\\s\\u00a0]*\\((${YEAR})\\)`, 'u'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/journal-year',
    journal: true,
    // "Sucht (2022), 68 (3), 145–152." — the journal, the year in parentheses, then volume
    // (issue) and pages.
    re: new RegExp(`^(\\p{Lu}[^,.;()\\d]{1,80}?)[\\s\\u00a0]*\\((${YEAR})\\),?[\\s\\u00a0]*\\d{1,3}[\\s\\u00a0]*(?:\\([^)]{1,12}\\))?[,:]`, 'u'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/volume-line',
    journal: true,
    // A journal's article page: "International Journal of Drug Policy, Volume 88, February 2021,
    // 103015" / "Addiction, Volume 116, Issue 5, May 2021, Pages 1234-1245".
    re: new RegExp(`^(\\p{Lu}[^,.;()\\d]{2,100}?),[\\s\\u00a0]*(?:Volume|Vol\\.?|Band|Jahrgang)[\\s\\u00a0]*\\d+(?:,[\\s\\u00a0]*(?:Issue|No\\.?|Heft|Ausgabe|Nr\\.?)[\\s\\u00a0]*[\\w\\-–]+)?,[\\s\\u00a0]*([^,]{0,30}?${YEAR})(?=[,.;]|[\\s\\u00a0]*$)`, 'u'),
    venue: (m) => m[1]!.trim(),
    date: (m) => m[2]!,
  },
  {
    id: 'citation/apa-venue',
    // The venue right after the year, closed by a comma and a volume/DOI/URL, or by a full stop
    // and a DOI/URL; or "City: Publisher." ending the line. A capitalised phrase that only ends
    // the line with a full stop is the work's title, not its venue (apa-journal/apa-year).
    re: new RegExp(`\\((${YEAR})[a-z]?(?:,[^)]*)?\\)\\.?,?[\\s\\u00a0]+(?:\\p{Lu}[\\p{L} .\\-]{1,40}:[\\s\\u00a0]*(\\p{Lu}[^,.():]{1,80}?)\\.?[\\s\\u00a0]*$|(\\p{Lu}[^,.():]{1,80}?)(?:,[\\s\\u00a0]*(?:${REF_AFTER_VENUE}|\\d|[Vv]ol|$)|\\.[\\s\\u00a0]*(?:${REF_AFTER_VENUE})))`, 'u'),
    venue: (m) => (m[2] ?? m[3])!.trim(),
    date: (m) => m[1]!,
  },
  {
    id: 'citation/apa-journal',
    journal: true,
    // "(2021). Title of the work. Journal Name, 5(2), 1–10." — the journal after the title,
    // followed by volume(issue) and pages or an article number.
    re: new RegExp(`\\((${YEAR})[a-z]?(?:,[^)]*)?\\)\\.[\\s\\u00a0]+[^()]{3,300}?[.?!][\\s\\u00a0]+(\\p{Lu}[^,.():\\d]{1,80}?),[\\s\\u00a0]*\\d{1,3}(?:[\\s\\u00a0]*\\([^)]{1,12}\\))?,[\\s\\u00a0]*[A-Za-z]?\\d`, 'u'),
    venue: (m) => m[2]!.trim(),
    date: (m) => m[1]!,
  },
  {
    id: 'citation/author-year-vancouver',
    journal: true,
    // "Strang J, Groshkova T et al. (2015) Heroin on trial: a review. Br J Psychiatry
    // 207(1):5-14." — the year after the authors as in APA, the journal as in Vancouver:
    // abbreviated, then volume(issue):pages.
    // The authors before the year: a list (a comma or "et al"); the pages end the reference.
    re: new RegExp(`^\\p{Lu}[^()]{0,300}?(?:,|\\bet al\\b)[^()]*?\\((${YEAR})[a-z]?\\)\\.?[\\s\\u00a0]+[^()]{3,300}?[.?!][\\s\\u00a0]+(\\p{Lu}[^,.;:()\\d]{1,80}?)\\.?[\\s\\u00a0]+\\d{1,4}[\\s\\u00a0]*(?:\\([^)]{1,12}\\))?[\\s\\u00a0]*:[\\s\\u00a0]*[A-Za-z]?\\d+(?:[\\-\\u2013]\\d+)?(?=[.;,]|[\\s\\u00a0]*$)`, 'u'),
    venue: (m) => m[2]!.trim(),
    date: (m) => m[1]!,
  },
  {
    id: 'citation/apa-journal-line',
    journal: true,
    // The journal line of an APA reference split over lines: "Journal of Community Harm
    // Reduction, 14(2), 101–112. doi: …" (journal, volume(issue), pages; the year is on the
    // author line).
    re: /^(\p{Lu}[^,.;:()\d]{2,100}?),[\s\u00a0]*\d{1,3}(?:[\s\u00a0]*\([^)]{1,12}\))?,[\s\u00a0]*[A-Za-z]?\d/u,
    venue: (m) => m[1]!.trim(),
    date: () => null,
  },
  {
    id: 'citation/apa-year',
    // The first author as "Surname, Given" or, Vancouver-style, "Surname AB," ("Strang J, …").
    re: new RegExp(`^\\p{Lu}[\\p{L}'\\-]+(?:[\\s\\u00a0]+\\p{Lu}{1,3})?,[\\s\\u00a0]+.*\\((${YEAR})[a-z]?(?:,[^)]*)?\\)[.,]?`, 'u'),
    venue: () => null,
    date: (m) => m[1]!,
  },
];

/** An ASCII digit: each of RULES has one (\d or a year) that a line must match. */
const HAS_DIGIT = /\d/;

/** Words that show a "venue" is really prose ("In 2020. …", "Published 2021;"). */
const NOT_A_VENUE = /^(in|im|published|erschienen|seit|since|from|bis|until|and|und|the year|das jahr|stand|updated|seite|page|s|p|pp)$/i;

/** Short words a journal title may keep in lower case ("Journal of Drug Policy"). */
const TITLE_CONNECTORS = new Set(['of', 'and', 'the', 'for', 'on', 'in', 'to', 'at', '&', 'und', 'für', 'de', 'du', 'des', 'la', 'le', 'et', 'y', 'e', 'da', 'do', 'di', 'del', 'van', 'von', 'der']);

/**
 * True when a text reads as a journal or repository title: at most 12 words, each capitalised
 * ("Int J Drug Policy", "Harm Reduction Journal"), a connector ("of", "and", "für") or an
 * "eLife"-style name. A sentence of prose that happens to end in a year ("Copenhagen opened
 * its first room in 2012.") does not.
 */
export function isJournalTitle(text: string): boolean {
  const words = text.trim().split(/[\s\u00a0]+/);
  if (words.length > 12) return false;
  return words.every((w) => /^[\p{Lu}\d&]/u.test(w) || /^\p{Ll}{1,2}\p{Lu}/u.test(w) || TITLE_CONNECTORS.has(w));
}

/**
 * True when a text reads as the name of a publisher or corporate author: at most 12 words, not
 * opened by an indefinite article or a demonstrative ("Eine Studie der Universität"), and at
 * most a third of its words in lower case apart from connectors ("Bundeszentrale für
 * gesundheitliche Aufklärung" passes, "Die Senatsverwaltung hat entschieden" does not).
 */
export function isOrganisationName(text: string): boolean {
  const words = text.trim().split(/[\s\u00a0]+/);
  if (words.length > 12) return false;
  if (/^(?:eine?[rsm]?|an?|this|these|diese[rsm]?|unsere?|our|their|ihre?)$/i.test(words[0]!)) return false;
  const lower = words.filter((w) => /^\p{Ll}/u.test(w) && !TITLE_CONNECTORS.has(w) && !/^\p{Ll}{1,2}\p{Lu}/u.test(w));
  return lower.length * 3 <= words.length;
}

/**
 * Reads the citation lines of an entry (body lines only). Returns every hit, in line order;
 * the first hit with a venue gives the source, the first hit with a date gives the date.
 */
export function readCitations(lines: readonly Line[]): CitationHit[] {
  const hits: CitationHit[] = [];
  for (const line of lines) {
    const text = line.text.trim();
    if (text.length > 600) continue; // a paragraph of prose, not a citation line
    // Every rule needs an ASCII digit (a year, a DOI's "10.", a volume or an article number),
    // so most prose lines are settled by one scan instead of thirteen expressions.
    if (!HAS_DIGIT.test(text)) continue;
    for (const rule of RULES) {
      const m = rule.re.exec(text);
      if (!m) continue;
      const venue = rule.venue(m);
      if (venue && NOT_A_VENUE.test(venue)) continue;
      if (venue && rule.journal && !isJournalTitle(venue)) continue;
      if (venue && rule.organisation && !isOrganisationName(venue)) continue;
      hits.push({ rule: rule.id, venue, line, dateText: rule.date(m) });
      break;
    }
  }
  return hits;
}

/** One Vancouver author: name words, then one to three initials ("van der Berg J", "de Vries HJ"). */
const VANCOUVER_AUTHOR_RE = /^(?:[\p{L}'\u2019\-]+[\s\u00a0]+){1,4}\p{Lu}{1,3}\.?$/u;

/**
 * An author list: "Pauly BB, Mamdani Z, Mesley L, …", "Touesnard, Natasha, Patten, San, …",
 * "van der Berg J, de Vries HJ, van den Hoek A". A trailing parenthetical (a source note) is
 * not part of the list, so "Read the guide. (Filter, USA, 12.05.2021)" is prose.
 */
export function isAuthorLine(text: string): boolean {
  // Each test below needs "et al" or two commas in the text (three list parts): a line with
  // neither is prose, settled without the trims and splits.
  const first = text.indexOf(',');
  if ((first < 0 || text.indexOf(',', first + 1) < 0) && !text.includes('et al')) return false;
  const t = text.trim().replace(/[\s\u00a0]*\([^()]*\)[.\s\u00a0]*$/, '');
  if (/\bet al\b/.test(t)) return true;
  const commas = (t.match(/,/g) ?? []).length;
  const words = t.split(/[\s\u00a0]+/).length;
  if (commas >= 2 && commas / words >= 0.3) return true;
  const parts = t.replace(/[.;][\s\u00a0]*$/, '').split(/,[\s\u00a0]*/);
  return parts.length >= 3 && parts.every((p) => VANCOUVER_AUTHOR_RE.test(p.trim()));
}
