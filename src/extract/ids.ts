import type { FieldRule } from './rule.ts';

/** A DOI anywhere: "doi: 10.1016/…", "https://doi.org/10…", "doi.org/10…", bare "10.…/…". */
const DOI_RE = /\b(10\.\d{4,9}\/[^\s"<>\u00a0]+)/i;
/** "doi:" followed by something that is not a DOI. */
const DOI_LABEL_RE = /\bdoi:?[\s\u00a0]*(?!10\.\d{4,9}\/)(?!https?:\/\/(?:dx\.)?doi\.org\/10\.)(\S+)/i;
const PMID_RE = /\bPMID:?[\s\u00a0]*(\d{1,9})\b/i;
const PMCID_RE = /\b(?:PMCID:?[\s\u00a0]*)?(PMC\d{4,9})\b/i;

/** Drops trailing punctuation from a DOI, keeping parentheses that the DOI itself opened. */
export function cleanDoi(raw: string): string {
  let doi = raw;
  for (;;) {
    const before = doi;
    doi = doi.replace(/[.,;:'"”’»›\]]+$/, '');
    if (doi.endsWith(')')) {
      const opens = (doi.match(/\(/g) ?? []).length;
      const closes = (doi.match(/\)/g) ?? []).length;
      if (closes > opens) doi = doi.slice(0, -1);
    }
    if (doi === before) break;
  }
  return doi.toLowerCase();
}

/** Every line of the entry, title first. */
function allLines(input: Parameters<FieldRule<string>['find']>[0]) {
  return [{ text: input.draft.title, line: input.draft.titleLine }, ...input.lines];
}

/** DOI rules. One rule today; a list so that more specific forms can be put first. */
export const DOI_RULES: readonly FieldRule<string>[] = [
  {
    id: 'doi/pattern',
    find(input) {
      for (const l of allLines(input)) {
        const m = DOI_RE.exec(l.text);
        if (m) return { value: cleanDoi(m[1]!), line: l.line, text: m[0] };
      }
      return null;
    },
  },
];

/** PMID rules. */
export const PMID_RULES: readonly FieldRule<string>[] = [
  {
    id: 'pmid/label',
    find(input) {
      for (const l of allLines(input)) {
        const m = PMID_RE.exec(l.text);
        if (m) return { value: String(Number(m[1])), line: l.line, text: m[0] };
      }
      return null;
    },
  },
];

/** PMCID rules. */
export const PMCID_RULES: readonly FieldRule<string>[] = [
  {
    id: 'pmcid/pattern',
    find(input) {
      for (const l of allLines(input)) {
        const m = PMCID_RE.exec(l.text);
        if (m) return { value: m[1]!.toUpperCase(), line: l.line, text: m[0] };
      }
      return null;
    },
  },
];

/** Lines where "doi" is written but no DOI follows ("doi: pending"). */
export function malformedDoiLabels(lines: { text: string; line: number }[]): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  for (const l of lines) {
    if (DOI_RE.test(l.text)) continue;
    const m = DOI_LABEL_RE.exec(l.text);
    // "doi: pending" (a label with a colon) or "doi 10/abc" (a value with digits or a slash);
    // the name "Doi" in prose ("Research by Doi and Chen") is neither.
    if (m && /^doi\b/i.test(m[0]) && (/^doi:/i.test(m[0]) || /[\d/]/.test(m[1]!))) out.push({ line: l.line, text: m[0] });
  }
  return out;
}

/** URLs written in the text (http/https/www), trailing punctuation removed. */
export function findUrls(lines: { text: string }[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    for (const m of l.text.matchAll(/\b(?:https?:\/\/|www\.)[^\s<>"\u00a0]+/gi)) {
      out.push(m[0].replace(/[.,;:)\]]+$/, ''));
    }
  }
  return out;
}
