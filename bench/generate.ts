/**
 * A seeded generator of digest pages in the style of the real site: English and German items
 * with country prefixes, source notes "(Org, Land, dd.mm.yyyy)", ~10% citations with DOI/PMID,
 * ~5% repeats, title-only entries, and later versions of pages. Deterministic for a seed.
 *
 * Citations vary as on the pages: each has its own author list (1-15 names drawn from 6,000
 * surnames, Vancouver "Surname AB" or APA "Surname, Given" style, "et al." after six in some),
 * one of 28 journals (a few cited far more often than the rest) or a report publisher, its own
 * volume, pages, DOI and PMID, and sometimes a subtitle. What they share is what real ones
 * share: journal names, DOI prefixes, "Epub ahead of print". (Giving every citation the same
 * author line made them share LSH buckets, which real pages do not.)
 */

/** Small, fast, seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EN_WORDS = 'naloxone overdose peer support harm reduction treatment opioid methadone buprenorphine clinic programme study people who use drugs prison release service outreach housing stigma policy report community access health workers training evaluation city rural network survey deaths prevention safer supply drug checking testing hepatitis HIV needle syringe consumption room counselling youth women pregnancy families advocacy funding research trial dose take-home'.split(' ');
const DE_WORDS = 'Substitution Naloxon Drogenkonsumraum Haft Entlassung Beratung Versorgung Studie Menschen Drogen Hilfe Angebot Schulung Praxis Stadt Land Bericht Todesfälle Prävention Spritzen Hepatitis Behandlung Sucht Medizin Netzwerk Angehörige Pflege Schwangerschaft Frauen Jugendliche Förderung Forschung Projekt Modell Versorgungslücke Wohnungslosigkeit Straßensozialarbeit Kontaktstelle Fachstelle Leitlinie'.split(' ');
const DE_GLUE = 'und der die das mit für in zur zum bei nach über eine einen neue neuen wird werden hat haben ist sind auch nicht'.split(' ');
const EN_GLUE = 'and the of for in with to a an new is are has have on at by from more than after'.split(' ');
const COUNTRIES = ['Kanada', 'USA', 'Schottland', 'England', 'Irland', 'Schweiz', 'Österreich', 'Australien', 'Neuseeland', 'Süd-Afrika', 'Portugal', 'Niederlande', 'Frankreich', 'Norwegen', 'Deutschland'];
const ORGS = ['Harbour Health Review', 'Filter', 'Drug Reporter', 'Recovery Research Institute', 'Netzwerk Gefängnismedizin', 'Fachverband Sucht', 'Southern Harm Reduction News', 'Prison Reform Monitor', 'Deutsches Ärzteblatt', 'Street Voices Media'];
/**
 * Journals a digest cites, most cited first (picked with a skew, as a few journals carry most
 * of the field's papers), with the DOI prefix of their articles.
 */
const JOURNALS: ReadonlyArray<{ name: string; doi: string }> = [
  { name: 'Int J Drug Policy', doi: '10.1016/j.drugpo' },
  { name: 'Harm Reduct J', doi: '10.1186/s12954' },
  { name: 'Addiction', doi: '10.1111/add' },
  { name: 'Drug Alcohol Depend', doi: '10.1016/j.drugalcdep' },
  { name: 'J Subst Abuse Treat', doi: '10.1016/j.jsat' },
  { name: 'JAMA Netw Open', doi: '10.1001/jamanetworkopen' },
  { name: 'Lancet Public Health', doi: '10.1016/S2468-2667' },
  { name: 'BMC Public Health', doi: '10.1186/s12889' },
  { name: 'Am J Public Health', doi: '10.2105/AJPH' },
  { name: 'Subst Abuse Treat Prev Policy', doi: '10.1186/s13011' },
  { name: 'Addict Sci Clin Pract', doi: '10.1186/s13722' },
  { name: 'Int J Prison Health', doi: '10.1108/IJPH' },
  { name: 'J Urban Health', doi: '10.1007/s11524' },
  { name: 'Can J Public Health', doi: '10.17269/s41997' },
  { name: 'Drug Alcohol Rev', doi: '10.1111/dar' },
  { name: 'Eur Addict Res', doi: '10.1159/000' },
  { name: 'Sucht', doi: '10.1024/0939-5911' },
  { name: 'Suchttherapie', doi: '10.1055/a' },
  { name: 'Bundesgesundheitsblatt', doi: '10.1007/s00103' },
  { name: 'PLoS One', doi: '10.1371/journal.pone' },
  { name: 'BMJ Open', doi: '10.1136/bmjopen' },
  { name: 'Lancet HIV', doi: '10.1016/S2352-3018' },
  { name: 'J Acquir Immune Defic Syndr', doi: '10.1097/QAI' },
  { name: 'Subst Use Misuse', doi: '10.1080/10826084' },
  { name: 'Psychiatr Serv', doi: '10.1176/appi.ps' },
  { name: 'Drugs Educ Prev Policy', doi: '10.1080/09687637' },
  { name: 'Contemp Drug Probl', doi: '10.1177/0091450' },
  { name: 'J Addict Med', doi: '10.1097/ADM' },
];
/** Publishers of reports and data sets cited in APA style ("(2021). Publisher. doi.org/…"). */
const PUBLISHERS = ['Zenodo', 'EMCDDA', 'Canadian Drug Policy Coalition', 'Deutsche Aidshilfe', 'Harm Reduction International', 'Release', 'Community Action Network', 'akzept e.V.', 'Open Society Foundations', 'WHO Regional Office for Europe'];
const MONTHS_DE = ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober', 'November', 'Dezember'];
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** One generated entry (its text, and what it was made of). */
export interface GenEntry {
  title: string;
  body: string;
  text: string;
  lang: 'en' | 'de';
  date: string;
}

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

/**
 * A vocabulary of the size and spelling variety real news text draws on: the seed words plus
 * 20,000 pseudo-words of random letters (consonant/vowel alternation), so that unrelated
 * entries share about as few character 5-grams as unrelated real texts do.
 */
function vocabulary(base: readonly string[], seed: number): string[] {
  const r = rng(seed);
  const cons = 'bcdfghjklmnprstvwz';
  const vow = 'aeiou';
  const out = [...base];
  for (let i = 0; i < 20000; i++) {
    let w = '';
    const n = 3 + Math.floor(r() * 8);
    for (let k = 0; k < n; k++) w += k % 2 === 0 ? cons[Math.floor(r() * cons.length)] : vow[Math.floor(r() * vow.length)];
    out.push(w);
  }
  return out;
}
const EN_VOCAB = vocabulary(EN_WORDS, 11);
const DE_VOCAB = vocabulary(DE_WORDS, 13);

/**
 * 6,000 surnames made of syllables (plus a few that recur across the field's papers), so
 * that author lists vary as they do on the pages: two citations rarely share an author line.
 */
function surnames(seed: number): string[] {
  const r = rng(seed);
  const onset = ['B', 'Br', 'C', 'Ch', 'D', 'F', 'G', 'H', 'J', 'K', 'Kr', 'L', 'M', 'N', 'P', 'R', 'S', 'Sch', 'St', 'T', 'V', 'W', 'Z'];
  const syl = ['a', 'an', 'ar', 'e', 'el', 'en', 'er', 'i', 'in', 'o', 'on', 'or', 'u', 'us', 'ey', 'ov', 'ic', 'ak'];
  const coda = ['', 'son', 'er', 'mann', 'ski', 'ez', 'ova', 'ing', 'ton', 'berg', 'i', 'o', 'ard', 'ani'];
  const out = ['Smith', 'Wang', 'Müller', 'Kerr', 'Strang', 'Degenhardt', 'Nguyen', 'Garcia', 'Schäffer', 'Stöver'];
  for (let i = 0; i < 6000; i++) {
    let w = pick(r, onset);
    const n = 1 + Math.floor(r() * 3);
    for (let k = 0; k < n; k++) w += `${pick(r, syl)}${k < n - 1 && r() < 0.4 ? pick(r, ['l', 'n', 'r', 't', 'd', 'ss']) : ''}`;
    out.push(`${w}${pick(r, coda)}`);
  }
  return out;
}
const SURNAMES = surnames(17);
const GIVEN = ['Anna', 'Ben', 'Chloe', 'Daniel', 'Elif', 'Farid', 'Grace', 'Hannah', 'Ivan', 'Jana', 'Kofi', 'Lena', 'Marco', 'Nadia', 'Olu', 'Priya', 'Quinn', 'Rosa', 'Samir', 'Tess', 'Uwe', 'Vera', 'Wyatt', 'Yara'];

function words(r: () => number, lang: 'en' | 'de', n: number): string {
  const content = lang === 'en' ? EN_VOCAB : DE_VOCAB;
  const glue = lang === 'en' ? EN_GLUE : DE_GLUE;
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r() < 0.45 ? pick(r, glue) : pick(r, content));
  return out.join(' ');
}

function sentence(r: () => number, lang: 'en' | 'de', n: number): string {
  const s = words(r, lang, n);
  return `${s[0]!.toUpperCase()}${s.slice(1)}.`;
}

/** `n` authors as a citation style writes them, up to `max` names then "et al.". */
function authorList(r: () => number, n: number, style: 'vancouver' | 'apa'): string {
  const names: string[] = [];
  for (let k = 0; k < n; k++) {
    // A skew towards the first names of the list: some authors recur across papers.
    const surname = SURNAMES[Math.floor(SURNAMES.length * r() ** 1.5)]!;
    if (style === 'vancouver') {
      const initials = String.fromCharCode(65 + Math.floor(r() * 26)) + (r() < 0.4 ? String.fromCharCode(65 + Math.floor(r() * 26)) : '');
      names.push(`${surname} ${initials}`);
    } else names.push(`${surname}, ${pick(r, GIVEN)}`);
  }
  if (style === 'apa') return n > 1 ? `${names.slice(0, -1).join(', ')}, & ${names[n - 1]}.` : `${names[0]}.`;
  // Vancouver lists up to six authors, then "et al." (some pages keep all of them).
  return n > 6 && r() < 0.6 ? `${names.slice(0, 6).join(', ')}, et al.` : `${names.join(', ')}.`;
}

/**
 * The body of a citation entry in one of the two styles the pages use: PubMed/Vancouver (an
 * author line, then "Journal. 2020 Nov 9;88:103015. doi: …. PMID: …."), most of them; or APA
 * for reports and data sets ("Authors. (2021).", then "Publisher. doi.org/…"). Returns a
 * subtitle for some titles too ("…: a qualitative study").
 */
function citation(r: () => number, seed: number, i: number, y: number, m: number, d: number): { body: string; subtitle: string | null } {
  const authors = 1 + Math.floor(r() ** 2 * 14);
  const subtitle = r() < 0.35 ? pick(r, ['a qualitative study', 'a systematic review', 'a cohort study', 'results of a pilot', 'a cross-sectional survey', 'a mixed-methods evaluation', 'protocol for a randomised trial', 'lessons from the field']) : null;
  if (r() < 0.8) {
    const j = JOURNALS[Math.floor(JOURNALS.length * r() ** 2)]!;
    const vol = 10 + Math.floor(r() * 140);
    const issue = r() < 0.6 ? `(${1 + Math.floor(r() * 12)})` : '';
    const first = 1 + Math.floor(r() * 900);
    const page = r() < 0.5 ? `${100000 + Math.floor(r() * 9000)}` : `${first}-${first + 5 + Math.floor(r() * 20)}`;
    const epub = r() < 0.3 ? ' Epub ahead of print.' : '';
    const pmc = r() < 0.25 ? ` PMCID: PMC${7000000 + Math.floor(r() * 2000000)}.` : '';
    const doi = `${j.doi}.${y}.${100000 + Math.floor(r() * 900000)}`;
    const line = `${j.name}. ${y} ${MONTHS_EN[m - 1]} ${d};${vol}${issue}:${page}. doi: ${doi}.${epub} PMID: ${25000000 + Math.floor(r() * 13000000)}.${pmc}`;
    return { body: `${authorList(r, authors, 'vancouver')}\n\n${line}`, subtitle };
  }
  const publisher = pick(r, PUBLISHERS);
  const doi = r() < 0.5 ? `doi.org/10.5281/zenodo.${5000000 + i}` : `https://doi.org/10.${4000 + Math.floor(r() * 900)}/${seed}.${i}`;
  return { body: `${authorList(r, authors, 'apa')} (${y}). \n\n${publisher}. ${doi}`, subtitle };
}

/** Generates entry number `i` of a corpus (deterministic for `seed` and `i`). */
export function genEntry(seed: number, i: number): GenEntry {
  const r = rng(seed * 1_000_003 + i);
  const lang = r() < 0.3 ? 'de' : 'en';
  const y = 2015 + Math.floor(r() * 10);
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  const prefix = r() < 0.5 ? `${pick(r, COUNTRIES)}. ` : '';
  let title = `${prefix}${sentence(r, lang, 6 + Math.floor(r() * 8)).slice(0, -1)} ${i}`;
  const kind = r();
  let body: string;
  let date: string;
  if (kind < 0.1) {
    // A citation: its own author list, a journal or publisher, volume/pages, DOI, PMID.
    date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    const cite = citation(r, seed, i, y, m, d);
    if (cite.subtitle) title = `${title.slice(0, -String(i).length - 1)}: ${cite.subtitle} ${i}`;
    body = cite.body;
  } else if (kind < 0.14) {
    body = '';
    date = '';
  } else {
    const paras = 1 + Math.floor(r() * 3);
    const ps: string[] = [];
    for (let p = 0; p < paras; p++) ps.push(`${sentence(r, lang, 14 + Math.floor(r() * 20))} ${sentence(r, lang, 10 + Math.floor(r() * 15))}`);
    const when = r() < 0.7 ? `${String(d).padStart(2, '0')}.${String(m).padStart(2, '0')}.${y}` : `${(lang === 'de' ? MONTHS_DE : ['January','February','March','April','May','June','July','August','September','October','November','December'])[m - 1]} ${y}`;
    date = when;
    const country = r() < 0.6 ? `${pick(r, COUNTRIES)}, ` : '';
    ps[ps.length - 1] += ` (${pick(r, ORGS)}, ${country}${when})`;
    body = ps.join('\n\n');
  }
  const text = body ? `${title}\n\n${body}` : title;
  return { title, body, text, lang, date };
}

/**
 * A page of `count` entries starting at entry `start`, with ~5% of entries repeated from
 * earlier in the page, in the page layout: chrome line, entries separated by two blank lines.
 */
export function genPage(seed: number, start: number, count: number): string {
  const r = rng(seed ^ (start * 7919));
  const parts = ['A- A A+'];
  for (let i = 0; i < count; i++) {
    const idx = i > 5 && r() < 0.05 ? start + Math.floor(r() * i) : start + i;
    parts.push(genEntry(seed, idx).text);
  }
  return `${parts.join('\n\n\n')}\n`;
}
