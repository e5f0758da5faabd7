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

describe('countryKey on text within U+00FF (its fast path)', () => {
  it('gives what NFC, white space and hyphen folding, trim and lower case give', () => {
    const general = (name: string) => name.normalize('NFC').replace(/[\u00a0\s]+/g, ' ').replace(/[\u2010-\u2015\u2212]/g, '-').trim().toLowerCase();
    const names = ['  Süd-Afrika ', 'ÖSTERREICH', 'Vereinigte\u00a0Staaten', 'U.S.A.', 'Côte d’Ivoire', 'Großbritannien\n', 'ÆØÅ ÞÐ ÿ µ'];
    for (let c = 0; c < 256; c++) names.push(`A${String.fromCharCode(c)}b ${String.fromCharCode(c)}`);
    for (const n of names) expect(countryKey(n), JSON.stringify(n)).toBe(general(n));
  });
});
