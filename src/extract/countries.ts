import { collapseSpace } from './space.ts';

/**
 * Country names as they appear in this field's digests, German and English, to ISO 3166-1
 * alpha-2. Keys are compared after `countryKey()` (lower case, NFC, hyphens/dots/space folded).
 * UK, England, Scotland, Wales and Northern Ireland are all GB.
 */
const NAMES: Record<string, string[]> = {
  US: ['USA', 'US', 'U.S.', 'U.S.A.', 'Vereinigte Staaten', 'Vereinigte Staaten von Amerika', 'United States', 'United States of America', 'Amerika'],
  CA: ['Kanada', 'Canada'],
  GB: ['UK', 'U.K.', 'GB', 'Großbritannien', 'Grossbritannien', 'Vereinigtes Königreich', 'United Kingdom', 'Great Britain', 'Britain', 'England', 'Schottland', 'Scotland', 'Wales', 'Nordirland', 'Northern Ireland'],
  IE: ['Irland', 'Ireland', 'Republik Irland'],
  DE: ['Deutschland', 'Germany', 'BRD', 'Bundesrepublik Deutschland'],
  AT: ['Österreich', 'Oesterreich', 'Austria'],
  CH: ['Schweiz', 'Switzerland', 'Suisse', 'Svizzera'],
  AU: ['Australien', 'Australia'],
  NZ: ['Neuseeland', 'New Zealand', 'Aotearoa'],
  ZA: ['Süd-Afrika', 'Südafrika', 'Sued-Afrika', 'Suedafrika', 'South Africa'],
  UA: ['Ukraine'],
  RU: ['Russland', 'Russia', 'Russische Föderation', 'Russian Federation'],
  PT: ['Portugal'],
  NL: ['Niederlande', 'Holland', 'Netherlands', 'The Netherlands'],
  BE: ['Belgien', 'Belgium'],
  LU: ['Luxemburg', 'Luxembourg'],
  FR: ['Frankreich', 'France'],
  ES: ['Spanien', 'Spain', 'España'],
  IT: ['Italien', 'Italy', 'Italia'],
  NO: ['Norwegen', 'Norway'],
  SE: ['Schweden', 'Sweden'],
  DK: ['Dänemark', 'Daenemark', 'Denmark'],
  FI: ['Finnland', 'Finland'],
  IS: ['Island', 'Iceland'],
  PL: ['Polen', 'Poland'],
  CZ: ['Tschechien', 'Tschechische Republik', 'Czech Republic', 'Czechia'],
  SK: ['Slowakei', 'Slovakia'],
  HU: ['Ungarn', 'Hungary'],
  SI: ['Slowenien', 'Slovenia'],
  HR: ['Kroatien', 'Croatia'],
  RS: ['Serbien', 'Serbia'],
  BA: ['Bosnien und Herzegowina', 'Bosnien-Herzegowina', 'Bosnia and Herzegovina'],
  ME: ['Montenegro'],
  MK: ['Nordmazedonien', 'Mazedonien', 'North Macedonia'],
  AL: ['Albanien', 'Albania'],
  GR: ['Griechenland', 'Greece'],
  CY: ['Zypern', 'Cyprus'],
  MT: ['Malta'],
  BG: ['Bulgarien', 'Bulgaria'],
  RO: ['Rumänien', 'Romania'],
  MD: ['Moldau', 'Moldawien', 'Republik Moldau', 'Moldova'],
  BY: ['Belarus', 'Weißrussland', 'Weissrussland'],
  LT: ['Litauen', 'Lithuania'],
  LV: ['Lettland', 'Latvia'],
  EE: ['Estland', 'Estonia'],
  GE: ['Georgien', 'Georgia'],
  AM: ['Armenien', 'Armenia'],
  AZ: ['Aserbaidschan', 'Azerbaijan'],
  KZ: ['Kasachstan', 'Kazakhstan'],
  KG: ['Kirgisistan', 'Kirgistan', 'Kyrgyzstan'],
  TJ: ['Tadschikistan', 'Tajikistan'],
  UZ: ['Usbekistan', 'Uzbekistan'],
  TR: ['Türkei', 'Tuerkei', 'Turkey', 'Türkiye'],
  IL: ['Israel'],
  IR: ['Iran'],
  AF: ['Afghanistan'],
  PK: ['Pakistan'],
  IN: ['Indien', 'India'],
  NP: ['Nepal'],
  BD: ['Bangladesch', 'Bangladesh'],
  CN: ['China', 'Volksrepublik China'],
  HK: ['Hongkong', 'Hong Kong'],
  TW: ['Taiwan'],
  JP: ['Japan'],
  KR: ['Südkorea', 'Korea', 'South Korea'],
  VN: ['Vietnam', 'Viet Nam'],
  TH: ['Thailand'],
  MY: ['Malaysia'],
  ID: ['Indonesien', 'Indonesia'],
  PH: ['Philippinen', 'Philippines'],
  SG: ['Singapur', 'Singapore'],
  MM: ['Myanmar', 'Birma', 'Burma'],
  KH: ['Kambodscha', 'Cambodia'],
  MX: ['Mexiko', 'Mexico'],
  CO: ['Kolumbien', 'Colombia'],
  BR: ['Brasilien', 'Brazil', 'Brasil'],
  AR: ['Argentinien', 'Argentina'],
  CL: ['Chile'],
  PE: ['Peru'],
  BO: ['Bolivien', 'Bolivia'],
  EC: ['Ecuador'],
  UY: ['Uruguay'],
  VE: ['Venezuela'],
  PR: ['Puerto Rico'],
  JM: ['Jamaika', 'Jamaica'],
  CU: ['Kuba', 'Cuba'],
  KE: ['Kenia', 'Kenya'],
  TZ: ['Tansania', 'Tanzania'],
  UG: ['Uganda'],
  NG: ['Nigeria'],
  GH: ['Ghana'],
  SN: ['Senegal'],
  EG: ['Ägypten', 'Aegypten', 'Egypt'],
  MA: ['Marokko', 'Morocco'],
  TN: ['Tunesien', 'Tunisia'],
  MU: ['Mauritius'],
  SC: ['Seychellen', 'Seychelles'],
  MZ: ['Mosambik', 'Mozambique'],
};

/** Text of U+0000-U+00FF only. */
const LATIN1 = /^[\u0000-\u00ff]*$/;

/** Folds a candidate name for lookup: NFC, lower case, U+00A0 to space, hyphen variants to '-'. */
export function countryKey(name: string): string {
  // Text within U+00FF is NFC already and has no hyphen variants to fold.
  if (LATIN1.test(name)) return collapseSpace(name).trim().toLowerCase();
  return name
    .normalize('NFC')
    .replace(/[\u00a0\s]+/g, ' ')
    .replace(/[\u2010-\u2015\u2212]/g, '-')
    .trim()
    .toLowerCase();
}

const LOOKUP = new Map<string, string>();
for (const [code, names] of Object.entries(NAMES)) {
  for (const n of names) LOOKUP.set(countryKey(n), code);
}

/** Names that are countries only when written exactly so (ambiguous in prose otherwise). */
const CASE_SENSITIVE = new Set(['US', 'GB', 'Island', 'Georgia', 'Chile', 'Korea', 'Amerika']);
/** countryKey of each CASE_SENSITIVE name -> the name (the keys are distinct). */
const CASE_SENSITIVE_BY_KEY = new Map([...CASE_SENSITIVE].map((cs) => [countryKey(cs), cs]));

/**
 * ISO 3166-1 alpha-2 code for a country name as written (German or English), or null.
 * "Ungarn" -> HU, "UNGARN" -> HU, "Schottland" -> GB, "INPUD" -> null.
 */
export function countryCode(name: string): string | null {
  const key = countryKey(name);
  const code = LOOKUP.get(key);
  if (!code) return null;
  const cs = CASE_SENSITIVE_BY_KEY.get(key);
  if (cs) {
    const trimmed = collapseSpace(name).trim();
    if (trimmed !== cs && trimmed !== cs.toUpperCase()) return null;
  }
  return code;
}

/** All known names (for tests and documentation). */
export function knownCountryNames(): ReadonlyMap<string, string> {
  return LOOKUP;
}
