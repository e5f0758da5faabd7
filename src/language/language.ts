import { francAll } from 'franc';
import { diag } from '../diagnostics.ts';
import { isAuthorLine, readCitations } from '../extract/citation.ts';
import { stripNote } from '../extract/source-note.ts';
import type { Diagnostic, ExtractedEntry, Found, RunContext } from '../types.ts';

/** ISO 639-1 -> ISO 639-3 for the languages digest pages are written in. */
export const ISO6391_TO_6393: Record<string, string> = {
  en: 'eng', de: 'deu', fr: 'fra', es: 'spa', nl: 'nld', it: 'ita', pt: 'por', pl: 'pol',
  cs: 'ces', da: 'dan', sv: 'swe', no: 'nob', fi: 'fin', hu: 'hun', ru: 'rus', uk: 'ukr',
  tr: 'tur', el: 'ell', ro: 'ron', hr: 'hrv', sl: 'slv', sk: 'slk',
};
const ISO6393_TO_6391 = Object.fromEntries(Object.entries(ISO6391_TO_6393).map(([a, b]) => [b, a]));

/**
 * The text franc sees: title and body without the source note, citation and author lines,
 * URLs, DOIs and identifiers (names and journal abbreviations say nothing of the language).
 */
export function languageText(e: ExtractedEntry, maxChars: number): string {
  const lines = e.draft.body.flatMap((b) => b.lines);
  const refs = new Set(readCitations(lines).map((h) => h.line.line));
  const prose = e.draft.body
    .map((b) => b.lines.filter((l) => !refs.has(l.line) && !isAuthorLine(l.text)).map((l) => l.text.trim()).join('\n'))
    .join('\n\n');
  const body = stripNote(prose, e.sourceNote);
  const text = `${e.draft.title}\n${body}`
    .replace(/\b(?:https?:\/\/|www\.)\S+/gi, ' ')
    .replace(/\b10\.\d{4,9}\/\S+/g, ' ')
    .replace(/\b(?:PMID|PMCID|doi)\b:?\s*\S*/gi, ' ')
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
  return text.slice(0, maxChars);
}

/** Counts letters (the measure of "too short to tell"). */
function letters(text: string): number {
  let n = 0;
  for (const ch of text) if (/\p{L}/u.test(ch)) n++;
  return n;
}

/**
 * The `language` stage: franc restricted to the configured languages, over a bounded prefix of
 * title + body. `und` when the text has fewer than `languageMinLength` letters, or when the
 * runner-up's score is within `languageMargin` of the winner's.
 */
export function detectLanguage(e: ExtractedEntry, ctx: RunContext): { language: Found<string>; diagnostics: Diagnostic[] } {
  const { languages, languageMaxChars, languageMinLength, languageMargin } = ctx.config;
  const text = languageText(e, languageMaxChars);
  const at = { file: e.draft.file, n: e.draft.n, line: e.draft.titleLine };
  const und = (why: string, rule: string) => ({
    language: { value: 'und', rule, line: e.draft.titleLine, text: text.slice(0, 80) },
    diagnostics: [diag('language/undetermined', at, why, { excerpt: text })],
  });
  const count = letters(text);
  if (count < languageMinLength) return und(`Only ${count} letters of text: too short to tell the language.`, 'language/too-short');
  const only = languages.map((l) => ISO6391_TO_6393[l]).filter((x): x is string => !!x);
  const ranked = francAll(text, { only, minLength: 1 });
  const [best, second] = ranked;
  if (!best || best[0] === 'und') return und('franc could not tell the language.', 'language/franc-und');
  if (second && second[1] >= 1 - languageMargin) {
    return und(`Too close to call between ${ISO6393_TO_6391[best[0]] ?? best[0]} and ${ISO6393_TO_6391[second[0]] ?? second[0]}.`, 'language/too-close');
  }
  return { language: { value: ISO6393_TO_6391[best[0]] ?? 'und', rule: 'language/franc', line: e.draft.titleLine, text: text.slice(0, 80) }, diagnostics: [] };
}
