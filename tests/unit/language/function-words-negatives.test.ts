import { describe, expect, it } from 'vitest';
import { functionWordLanguage, languageOfText } from '../../../src/language/language.ts';
import { testContext } from '../extract/helpers.ts';

const LANGS = ['en', 'de', 'fr', 'es', 'nl', 'it', 'pt'];

describe('language/function-words', () => {
  it.each([
    ['Overdose deaths among adolescents, 2010–2023.', 'en'],
    ['Babylotsen für suchtkranke Mütter', 'de'],
    ['Naloxone: A guide for families and friends.', 'en'],
    ['Research by van Dijk and de Vries', 'en'],
  ])('reads "%s" as %s', (text, language) => {
    expect(functionWordLanguage(text, LANGS)?.language).toBe(language);
  });

  it.each([
    'Heroin Assisted Treatment – Konferenz 2023',
    'Naloxone training video',
    'Stigma-Index Drogengebrauch',
    'The und',
    'a de en la in es um do para',
  ])('finds no decisive function words in "%s"', (text) => {
    expect(functionWordLanguage(text, LANGS)).toBeNull();
  });

  it('answers "und" for a short title without function words, and never asks franc', () => {
    expect(languageOfText('Supervised consumption sites: a systematic review', testContext().config)).toMatchObject({
      value: 'und',
      rule: 'language/too-short',
    });
  });

  it('only uses the configured languages', () => {
    expect(functionWordLanguage('le et pour dans', ['en', 'de'])).toBeNull();
  });
});
