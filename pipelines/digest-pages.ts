import type { PipelineConfig } from '../src/types.ts';

/**
 * The digest pages of forum-substitutionspraxis.de and pages like them: English and German
 * news items with German country prefixes and source notes "(Org, Land, dd.mm.yyyy)".
 * Language settings were chosen by measurement (see README, "Language").
 */
const digestPages: PipelineConfig = {
  name: 'digest-pages',
  languages: ['en', 'de', 'fr', 'es', 'nl', 'it', 'pt'],
  // Measured on the corpus and seed (scripts/measure-language.ts, README "Language"): with
  // function words below it, a floor of 50 letters was right on 242/242 entries (40: 3 wrong
  // franc answers; 60: 2 more `und`); 200-800 characters measure the same; margins 0-0.05 the
  // same, 0.10 loses 2 entries.
  languageMinLength: 50,
  languageMaxChars: 400,
  languageMargin: 0.02,
  chrome: [
    'A-\\s*A\\s*A\\+',
    'A\\+?\\s*A\\s*A-',
    '(Seite )?drucken',
    'print( page)?',
    'nach oben',
    'back to top',
    'zurück',
    'teilen',
    'share',
  ],
  nearDuplicateThreshold: 0.8,
  schedule: null,
};

export default digestPages;
