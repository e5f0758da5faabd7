import { describe, expect, it } from 'vitest';
import { titlePrefixCountry } from '../../../src/extract/country.ts';

describe('a title prefix naming several countries', () => {
  it.each([
    ['England und Wales. Deaths related to drug poisoning', 'GB', 'England und Wales.'],
    ['USA/Kanada. Fentanyl test strips', 'US', 'USA/Kanada.'],
    ['Spanien & Portugal. Drug checking', 'ES', 'Spanien & Portugal.'],
  ])('reads "%s" as %s (the first country)', (title, code, text) => {
    expect(titlePrefixCountry(title)).toEqual({ code, text });
  });

  it.each([
    'Drugs and Crime. A report',
    'INPUD und EMCDDA. Joint statement',
    'Harm Reduction and Human Rights. Conference',
    'Peers & Partners. Newsletter',
    'Kanada und INPUD. Joint statement',
    'Taking back: Episode 9. Russia. Georgia and Ukraine',
  ])('takes no country from "%s"', (title) => {
    expect(titlePrefixCountry(title)).toBeNull();
  });
});
