/**
 * A seeded generator of digest pages in the style of the real site: English and German items
 * with country prefixes, source notes "(Org, Land, dd.mm.yyyy)", ~10% citations with DOI/PMID,
 * ~5% repeats, title-only entries, and later versions of pages. Deterministic for a seed.
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
const JOURNALS = ['Int J Drug Policy', 'Harm Reduct J', 'Addiction', 'JAMA Netw Open', 'Lancet Public Health', 'Drug Alcohol Depend'];
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

/** Generates entry number `i` of a corpus (deterministic for `seed` and `i`). */
export function genEntry(seed: number, i: number): GenEntry {
  const r = rng(seed * 1_000_003 + i);
  const lang = r() < 0.3 ? 'de' : 'en';
  const y = 2015 + Math.floor(r() * 10);
  const m = 1 + Math.floor(r() * 12);
  const d = 1 + Math.floor(r() * 28);
  const prefix = r() < 0.5 ? `${pick(r, COUNTRIES)}. ` : '';
  const title = `${prefix}${sentence(r, lang, 6 + Math.floor(r() * 8)).slice(0, -1)} ${i}`;
  const kind = r();
  let body: string;
  let date: string;
  if (kind < 0.1) {
    // A citation.
    const mon = MONTHS_EN[m - 1]!;
    date = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    body = `Meyer A, Novak B, Okoro C, et al.\n\n${pick(r, JOURNALS)}. ${y} ${mon} ${d};${10 + (i % 90)}:${100000 + (i % 899999)}. doi: 10.${1000 + (i % 8999)}/bench.${seed}.${i}. PMID: ${30000000 + i}.`;
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
