import { diag } from '../diagnostics.ts';
import { isAuthorLine, readCitations } from '../extract/citation.ts';
import { titlePrefixCountry } from '../extract/country.ts';
import { stripNote } from '../extract/source-note.ts';
import { collapseSpace } from '../extract/space.ts';
import type { Diagnostic, ExtractedEntry, Found, RunContext } from '../types.ts';
import { francRanking } from './trigrams.ts';

/** ISO 639-1 -> ISO 639-3 for the languages digest pages are written in. */
export const ISO6391_TO_6393: Record<string, string> = {
  en: 'eng', de: 'deu', fr: 'fra', es: 'spa', nl: 'nld', it: 'ita', pt: 'por', pl: 'pol',
  cs: 'ces', da: 'dan', sv: 'swe', no: 'nob', fi: 'fin', hu: 'hun', ru: 'rus', uk: 'ukr',
  tr: 'tur', el: 'ell', ro: 'ron', hr: 'hrv', sl: 'slv', sk: 'slk',
};
const ISO6393_TO_6391 = Object.fromEntries(Object.entries(ISO6391_TO_6393).map(([a, b]) => [b, a]));

/**
 * The text the language rules see: title (without its country prefix) and body without the
 * source note, citation and author lines, URLs, DOIs and identifiers (names and journal abbreviations say nothing of the language).
 */
export function languageText(e: ExtractedEntry, maxChars: number): string {
  const lines = e.draft.body.flatMap((b) => b.lines);
  const refs = new Set(readCitations(lines).map((h) => h.line.line));
  const prose = e.draft.body
    .map((b) => b.lines.filter((l) => !refs.has(l.line) && !isAuthorLine(l.text)).map((l) => l.text.trim()).join('\n'))
    .join('\n\n');
  const body = stripNote(prose, e.sourceNote);
  // The country prefix ("Kanada.", "Neuseeland.") is the German editor's, not the entry's text;
  // a body-less entry may carry its note on the title line.
  const title = titleWithoutCountryPrefix(e.draft.body.length ? e.draft.title : stripNote(e.draft.title, e.sourceNote));
  return proseOnly(`${title}\n${body}`).slice(0, maxChars);
}

/** The title without a country prefix ("Kanada. X" -> "X"). */
function titleWithoutCountryPrefix(title: string): string {
  const p = titlePrefixCountry(title);
  return p && title.startsWith(p.text) ? title.slice(p.text.length).trim() : title;
}

/** Drops URLs, DOIs and identifiers from a text and collapses its white space. */
export function proseOnly(text: string): string {
  const ids = text
    .replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ')
    .replace(/\b10\.\d{4,9}\/\S+/g, ' ')
    .replace(/\b(?:PMID|PMCID|doi)\b:?\s*\S*/gi, ' ');
  return collapseSpace(ids).trim();
}

/** Counts letters (the measure of "too short to tell"). */
export function letterCount(text: string): number {
  // Char-code ranges instead of \p{L} per character (3-4x faster on the hot path): ASCII and
  // Latin-1/Latin Extended letters, Greek, Cyrillic; other scripts count via a regex.
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x370 && c <= 0x4ff)) n++;
    else if (c > 0x24f && /\p{L}/u.test(text[i]!)) n++;
  }
  return n;
}

/**
 * Function words that belong to one configured language only (words shared by two of them,
 * such as "in", "a", "de", "en", "la", "es", "um", "do", "para", are left out).
 * Titles and one-line entries are too short for franc's trigrams (see README, "Language"),
 * but a single "the", "und" or "pour" says which language a short text is written in.
 */
export const FUNCTION_WORDS: Record<string, ReadonlySet<string>> = {
  en: new Set(['the', 'and', 'of', 'for', 'with', 'on', 'to', 'from', 'among', 'who', 'what', 'how', 'are', 'by', 'after', 'about', 'this', 'that', 'their', 'its', 'at', 'or', 'be', 'not', 'why', 'when', 'into', 'between', 'than', 'can', 'does', 'should', 'your', 'our', 'we', 'you', 'it', 'has', 'have', 'were', 'will', 'more']),
  de: new Set(['der', 'die', 'das', 'und', 'für', 'mit', 'von', 'zu', 'im', 'ein', 'eine', 'einer', 'einen', 'den', 'dem', 'auf', 'ist', 'sind', 'nicht', 'bei', 'nach', 'über', 'aus', 'wie', 'auch', 'sich', 'zur', 'zum', 'vom', 'oder', 'werden', 'wird', 'wir', 'ihre', 'durch', 'gegen', 'unter', 'beim', 'vor', 'bis']),
  fr: new Set(['le', 'les', 'et', 'une', 'pour', 'dans', 'sur', 'avec', 'est', 'au', 'aux', 'par', 'qui', 'pas', 'ce', 'ces', 'sont', 'du', 'leur', 'être']),
  es: new Set(['el', 'los', 'las', 'y', 'más', 'también', 'pero', 'esta', 'este', 'muy']),
  nl: new Set(['het', 'een', 'van', 'voor', 'met', 'zijn', 'niet', 'op', 'bij', 'naar', 'wordt', 'worden', 'ook', 'uit', 'dat', 'om', 'aan', 'hoe', 'wat', 'deze', 'dit']),
  it: new Set(['il', 'gli', 'della', 'delle', 'dei', 'di', 'che', 'nel', 'nella', 'sono', 'degli', 'alla', 'anche']),
  pt: new Set(['não', 'em', 'uma', 'com', 'os', 'ao', 'pela', 'pelo', 'são', 'é']),
};

/**
 * The language whose function words a text uses, when that is decisive: one configured
 * language has hits and every other has none, or at least two and twice as many as the next.
 */
export function functionWordLanguage(text: string, languages: readonly string[]): { language: string; words: string[] } | null {
  const tokens = text.toLowerCase().split(/[^\p{L}]+/u).filter(Boolean);
  const hits = languages
    .map((language) => ({ language, words: tokens.filter((t) => FUNCTION_WORDS[language]?.has(t)) }))
    .sort((a, b) => b.words.length - a.words.length);
  const [best, second] = hits;
  if (!best || best.words.length === 0) return null;
  const runnerUp = second?.words.length ?? 0;
  if (runnerUp === 0 || (best.words.length >= 2 && best.words.length >= 2 * runnerUp)) return best;
  return null;
}

/** What a language rule sees: the text (title + prose, bounded) and the pipeline settings. */
export interface LanguageInput {
  text: string;
  letters: number;
  config: RunContext['config'];
  /** franc's ranking over the configured languages (ISO 639-3, best first); computed once. */
  franc(): Array<[string, number]>;
}

/**
 * A language rule's answer: a code, or `und` with the reason (and, where one rule has several
 * reasons, the id that names it); null when the rule has nothing to say.
 */
export type LanguageAnswer = { value: string; why?: string; rule?: string } | null;

/** One language rule. */
export interface LanguageRule {
  id: string;
  find(input: LanguageInput): LanguageAnswer;
}

/** True when franc names a language and the runner-up is not within the margin. */
function francIsSure(input: LanguageInput): boolean {
  const [best, second] = input.franc();
  return !!best && best[0] !== 'und' && !(second && second[1] >= 1 - input.config.languageMargin);
}

/**
 * Language rules, in order; the first that answers wins. Order matters: function words decide
 * short texts before the length floor turns them into `und`; franc only ever sees texts of at
 * least `languageMinLength` letters; function words break franc's ties before `und`.
 */
export const LANGUAGE_RULES: readonly LanguageRule[] = [
  {
    // A title or one-line entry that states its language in its function words.
    id: 'language/function-words',
    find({ text, letters, config }) {
      if (letters >= config.languageMinLength) return null;
      const hit = functionWordLanguage(text, config.languages);
      return hit ? { value: hit.language } : null;
    },
  },
  {
    id: 'language/too-short',
    find({ letters, config }) {
      return letters < config.languageMinLength
        ? { value: 'und', why: `Only ${letters} letters of text and no telling function words: too short to tell the language.` }
        : null;
    },
  },
  {
    // franc restricted to the configured languages, when it is sure.
    id: 'language/franc',
    find(input) {
      return francIsSure(input) ? { value: ISO6393_TO_6391[input.franc()[0]![0]] ?? 'und' } : null;
    },
  },
  {
    // franc too close to call (or silent): decisive function words break the tie.
    id: 'language/function-words-tie',
    find({ text, config }) {
      const hit = functionWordLanguage(text, config.languages);
      return hit ? { value: hit.language } : null;
    },
  },
  {
    // Nothing decided: `und`, saying why.
    id: 'language/too-close',
    find(input) {
      const [best, second] = input.franc();
      if (!best || best[0] === 'und' || !second) return { value: 'und', rule: 'language/franc-und', why: 'franc could not tell the language.' };
      return { value: 'und', why: `Too close to call between ${ISO6393_TO_6391[best[0]] ?? best[0]} and ${ISO6393_TO_6391[second[0]] ?? second[0]}.` };
    },
  },
];

/** Runs the language rules over a prepared text; the answer and the rule that gave it. */
export function languageOfText(text: string, config: RunContext['config'], rules: readonly LanguageRule[] = LANGUAGE_RULES): { value: string; rule: string; why?: string } {
  let ranking: Array<[string, number]> | null = null;
  const only = config.languages.map((l) => ISO6391_TO_6393[l]).filter((x): x is string => !!x);
  const input: LanguageInput = {
    text,
    letters: letterCount(text),
    config,
    franc: () => (ranking ??= francRanking(text, only)),
  };
  for (const rule of rules) {
    const hit = rule.find(input);
    if (hit) return { value: hit.value, rule: hit.rule ?? rule.id, ...(hit.why ? { why: hit.why } : {}) };
  }
  return { value: 'und', rule: 'language/none', why: 'No language rule answered.' };
}

/**
 * Answers already given for a text (the rules are a function of the text and the settings):
 * a repeated entry, which the dedupe stage will merge into its first occurrence, is not run
 * through franc again. Keep one per document and configuration.
 */
export type LanguageMemo = Map<string, { value: string; rule: string; why?: string }>;

/**
 * The `language` stage: over a bounded prefix of title + prose (`languageMaxChars`), the
 * rules above: function words for short texts, `und` below `languageMinLength` letters,
 * otherwise franc restricted to the configured languages, `und` when the runner-up's score
 * is within `languageMargin` of the winner's. `memo` (optional) reuses the answer for a text
 * seen before (exact repeats within a document).
 */
export function detectLanguage(e: ExtractedEntry, ctx: RunContext, memo?: LanguageMemo): { language: Found<string>; diagnostics: Diagnostic[] } {
  const text = languageText(e, ctx.config.languageMaxChars);
  let answer = memo?.get(text);
  if (!answer) {
    answer = languageOfText(text, ctx.config);
    memo?.set(text, answer);
  }
  const language = { value: answer.value, rule: answer.rule, line: e.draft.titleLine, text: text.slice(0, 80) };
  if (answer.value !== 'und') return { language, diagnostics: [] };
  const at = { file: e.draft.file, n: e.draft.n, line: e.draft.titleLine };
  return { language, diagnostics: [diag('language/undetermined', at, answer.why ?? 'The language could not be told.', { excerpt: text })] };
}
