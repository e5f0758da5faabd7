import { describe, expect, it } from 'vitest';
import { countryCode, countryKey } from '../../../src/extract/countries.ts';

describe('countryCode', () => {
  it.each([
    ['Kanada', 'CA'],
    ['Süd-Afrika', 'ZA'],
    ['Süd\u2011Afrika', 'ZA'],
    ['Schottland', 'GB'],
    ['England', 'GB'],
    ['Wales', 'GB'],
    ['UK', 'GB'],
    ['USA', 'US'],
    ['Österreich', 'AT'],
    ['O\u0308sterreich', 'AT'],
    ['Niederlande', 'NL'],
    ['Neuseeland', 'NZ'],
    ['Irland', 'IE'],
    ['Ungarn', 'HU'],
    ['UNGARN', 'HU'],
    ['Vereinigte Staaten', 'US'],
    ['Vereinigte\u00a0Staaten', 'US'],
    ['  Deutschland ', 'DE'],
  ])('reads the country name "%s" as %s', (name, code) => {
    expect(countryCode(name)).toBe(code);
  });

  it.each([
    'INPUD',
    'EMCDDA',
    'WHO',
    'FDA',
    'deutschsprachige Region',
    'Frankfurt University of Applied Sciences',
    'Drug Reporter',
    'Filter',
    '',
  ])('does not read "%s" as a country', (name) => {
    expect(countryCode(name)).toBeNull();
  });

  it('accepts the ambiguous short names only when written exactly as a country is written', () => {
    expect(countryCode('US')).toBe('US');
    expect(countryCode('us')).toBeNull();
    expect(countryCode('Island')).toBe('IS');
    expect(countryCode('island')).toBeNull();
    expect(countryCode('Georgia')).toBe('GE');
    expect(countryCode('georgia')).toBeNull();
  });
});

describe('countryKey', () => {
  it('folds case, no-break spaces and hyphen variants so that spellings compare equal', () => {
    expect(countryKey('SÜD\u2010AFRIKA')).toBe('süd-afrika');
    expect(countryKey(' Vereinigte\u00a0 Staaten ')).toBe('vereinigte staaten');
  });
});
