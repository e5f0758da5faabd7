import { describe, expect, it } from 'vitest';
import { COUNTRY_RULES, titlePrefixCountry } from '../../../src/extract/country.ts';
import { firstMatch } from '../../../src/extract/rule.ts';
import { ruleInput } from './helpers.ts';

const countryOf = (text: string) => firstMatch(COUNTRY_RULES, ruleInput(text));

describe('titlePrefixCountry', () => {
  it.each([
    ['Kanada. Overdose deaths fall in two provinces', 'CA', 'Kanada.'],
    ['Süd-Afrika. Peer workers open a drop-in centre', 'ZA', 'Süd-Afrika.'],
    ['Schottland. Safer drug consumption pilot approved', 'GB', 'Schottland.'],
    ['USA. The clinic rules are changing', 'US', 'USA.'],
    ['Österreich. Neue Leitlinie zur Substitution', 'AT', 'Österreich.'],
    ['Niederlande. Drug checking turns thirty', 'NL', 'Niederlande.'],
    ['Neuseeland. Pill testing becomes permanent', 'NZ', 'Neuseeland.'],
    ['Irland. A new peer network', 'IE', 'Irland.'],
    ['Vereinigte Staaten. A new federal rule', 'US', 'Vereinigte Staaten.'],
    ['Kanada.\u00a0A no-break space after the prefix', 'CA', 'Kanada.'],
  ])('reads the prefix of "%s" as %s', (title, code, text) => {
    expect(titlePrefixCountry(title)).toEqual({ code, text });
  });

  it.each([
    'INPUD. Universal review guide for networks',
    'EMCDDA. European drug report',
    'WHO. Consolidated guidelines',
    'FDA. Approves a new naloxone spray',
    'Episode 9. Russia. Georgia and Ukraine',
    'Mr. Brown goes to the clinic',
    'Kanada',
    'Kanada.',
    'Kanada.Overdose',
    'Canadian peers. A report',
    'deutschsprachige Region. Ein Überblick',
  ])('does not read a country prefix from "%s"', (title) => {
    expect(titlePrefixCountry(title)).toBeNull();
  });
});

describe('COUNTRY_RULES', () => {
  it('takes the country from the title prefix, with the title line as provenance', () => {
    expect(countryOf('Süd-Afrika. Peer workers open a centre\n\nBody text.')).toEqual({
      value: 'ZA', rule: 'country/title-prefix', line: 1, text: 'Süd-Afrika.',
    });
  });

  it('takes the country from the country slot of the source note when the title has no prefix', () => {
    expect(countryOf('Harm reduction in the capital\n\nA short report.\n\n(Drug Reporter, UNGARN, 13.07.2020)')).toEqual({
      value: 'HU', rule: 'country/source-note', line: 5, text: 'UNGARN',
    });
  });

  it('lets the title prefix win over a different country in the source note', () => {
    const hit = countryOf('Kanada. Peer workers speak out\n\nBody text.\n\n(Drug Reporter, Ungarn, 13.07.2020)');
    expect(hit?.value).toBe('CA');
    expect(hit?.rule).toBe('country/title-prefix');
  });

  it('falls through an organisation prefix to the country of the source note', () => {
    const hit = countryOf('INPUD.\u00a0A guide for national networks\n\n(International Network of People who Use Drugs, UK, September 2022)');
    expect(hit?.value).toBe('GB');
    expect(hit?.rule).toBe('country/source-note');
  });

  it('does not read a country named inside the title as a prefix', () => {
    expect(countryOf('Episode 9. Russia. Georgia and Ukraine\n\nA podcast about peer networks.')).toBeNull();
  });

  it.each([
    ['a region', 'Ein Bericht\n\nText.\n\n(Fachverband Drogen, deutschsprachige Region, 12.05.2021)'],
    ['a university', 'A study\n\nText.\n\n(Frankfurt University of Applied Sciences, 12.05.2021)'],
    ['an organisation acronym', 'A guide\n\nText.\n\n(EMCDDA, 12.05.2021)'],
  ])('finds no country in a source note whose parts name %s', (_what, text) => {
    expect(countryOf(text)).toBeNull();
  });

  it('reads the country prefixed to a citation author line', () => {
    const hit = countryOf('Naloxone distribution and overdose deaths\n\nUSA. Zang X, Walley AY, Chatterjee A, et al.\n\nJAMA Netw Open. 2022;5(11):e2241174.');
    expect(hit).toEqual({ value: 'US', rule: 'country/author-line-prefix', line: 3, text: 'USA.' });
  });

  it.each([
    ['an organisation before the authors', 'A trial\n\nWHO. Smith J, Doe A, et al.'],
    ['a country opening a prose sentence', 'A trial\n\nCanada. officials said the trial ends.'],
    ['a sentence that is not an author list', 'A trial\n\nKanada. Die Studie läuft weiter.'],
  ])('reads no country from %s', (_what, text) => {
    expect(countryOf(text)).toBeNull();
  });

  it('finds nothing when neither the title, the note nor an author line states a country', () => {
    expect(countryOf('Peer support works\n\nA long paragraph about peer support in many places.')).toBeNull();
  });
});
