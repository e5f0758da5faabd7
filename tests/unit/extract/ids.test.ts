import { describe, expect, it } from 'vitest';
import { cleanDoi, DOI_RULES, findUrls, malformedDoiLabels, PMCID_RULES, PMID_RULES } from '../../../src/extract/ids.ts';
import { firstMatch } from '../../../src/extract/rule.ts';
import { extractText, ruleInput } from './helpers.ts';

const doiOf = (body: string) => firstMatch(DOI_RULES, ruleInput(`A study title\n\n${body}`))?.value ?? null;
const pmidOf = (body: string) => firstMatch(PMID_RULES, ruleInput(`A study title\n\n${body}`))?.value ?? null;
const pmcidOf = (body: string) => firstMatch(PMCID_RULES, ruleInput(`A study title\n\n${body}`))?.value ?? null;

describe('DOI_RULES', () => {
  it.each([
    ['https://doi.org/10.1001/JAMANETWORKOPEN.2022.41174', '10.1001/jamanetworkopen.2022.41174'],
    ['doi.org/10.5281/zenodo.5514066', '10.5281/zenodo.5514066'],
    ['doi: 10.1016/j.drugpo.2020.103015.', '10.1016/j.drugpo.2020.103015'],
    ['doi:10.1016/j.drugpo.2020.103015', '10.1016/j.drugpo.2020.103015'],
    ['DOI: 10.1111/add.15324.', '10.1111/add.15324'],
    ['https://dx.doi.org/10.1111/ADD.15324', '10.1111/add.15324'],
    ['See https://onlinelibrary.wiley.com/doi/10.1111/add.15324 for the paper.', '10.1111/add.15324'],
    ['Lancet. 2020;395:1. doi: 10.1016/S0140-6736(20)30191-4', '10.1016/s0140-6736(20)30191-4'],
    ['Lancet. 2020;395:1. doi: 10.1016/S0140-6736(20)30191-4.', '10.1016/s0140-6736(20)30191-4'],
    ['(doi: 10.1016/S0140-6736(20)30191-4)', '10.1016/s0140-6736(20)30191-4'],
    ['Read it (doi: 10.1111/add.15324).', '10.1111/add.15324'],
    ['doi: 10.1016/j.drugpo.2020.103015; doi: 10.1111/add.15324', '10.1016/j.drugpo.2020.103015'],
  ])('reads the DOI in "%s" as %s', (line, doi) => {
    expect(doiOf(line)).toBe(doi);
  });

  it('records the line the DOI was read from', () => {
    expect(firstMatch(DOI_RULES, ruleInput('A study title\n\nSmith J.\n\ndoi: 10.1111/add.15324.'))).toMatchObject({
      value: '10.1111/add.15324', rule: 'doi/pattern', line: 5,
    });
  });

  it.each([
    'doi: pending',
    'More than 10.000 Teilnehmer took part.',
    'Version 10.2 of the guide',
    'Call 10.1234 for help',
    'A body without identifiers.',
  ])('reads no DOI from "%s"', (line) => {
    expect(doiOf(line)).toBeNull();
  });
});

describe('cleanDoi', () => {
  it('lower-cases and drops trailing punctuation but keeps balanced parentheses', () => {
    expect(cleanDoi('10.1016/S0140-6736(20)30191-4).')).toBe('10.1016/s0140-6736(20)30191-4');
    expect(cleanDoi('10.1111/ADD.15324”,')).toBe('10.1111/add.15324');
    expect(cleanDoi('10.1111/add.15324')).toBe('10.1111/add.15324');
  });
});

describe('PMID_RULES and PMCID_RULES', () => {
  it.each([
    ['PMID: 33176249.', '33176249'],
    ['PMID 33176249', '33176249'],
    ['Epub ahead of print. PMID: 33176249; PMCID: PMC9584257.', '33176249'],
  ])('reads the PMID in "%s" as %s', (line, pmid) => {
    expect(pmidOf(line)).toBe(pmid);
  });

  it.each([
    ['PMCID: PMC9584257', 'PMC9584257'],
    ['Free PMC article: pmc9584257.', 'PMC9584257'],
    ['PMID: 33176249; PMCID: PMC9584257.', 'PMC9584257'],
  ])('reads the PMCID in "%s" as %s', (line, pmcid) => {
    expect(pmcidOf(line)).toBe(pmcid);
  });

  it.each(['PMIDs were collected for 10.000 Teilnehmer', 'Free PMC article.', 'PMC', 'PMC123', 'A body.'])(
    'reads neither a PMID nor a PMCID from "%s"',
    (line) => {
      expect(pmidOf(line)).toBeNull();
      expect(pmcidOf(line)).toBeNull();
    },
  );
});

describe('malformedDoiLabels', () => {
  it('flags a doi label followed by something that is not a DOI', () => {
    expect(malformedDoiLabels([{ text: 'doi: 10/abc-pending', line: 4 }])).toEqual([{ line: 4, text: 'doi: 10/abc-pending' }]);
  });

  it('flags "doi: pending" as a doi label with no DOI', () => {
    expect(malformedDoiLabels([{ text: 'doi: pending', line: 4 }])).toEqual([{ line: 4, text: 'doi: pending' }]);
  });

  it.each([
    'doi: 10.1111/add.15324',
    'https://doi.org/10.1111/add.15324',
    'Research by Doi and Chen found the same.',
    'A line without the word.',
  ])('does not flag "%s"', (text) => {
    expect(malformedDoiLabels([{ text, line: 1 }])).toEqual([]);
  });

  it('becomes a doi/malformed diagnostic on the entry, with file, n and line', () => {
    const ex = extractText('A study title\n\ndoi: 10/abc-pending', 'digest.txt', 3);
    expect(ex.fields.doi).toBeNull();
    expect(ex.diagnostics).toMatchObject([{ code: 'doi/malformed', severity: 'warning', file: 'digest.txt', n: 3, line: 3 }]);
  });
});

describe('findUrls', () => {
  it('collects http(s) and www addresses without trailing punctuation', () => {
    expect(findUrls([{ text: 'See https://example.org/report.pdf, or www.example.org/de).' }])).toEqual([
      'https://example.org/report.pdf',
      'www.example.org/de',
    ]);
  });

  it('collects nothing from text without addresses', () => {
    expect(findUrls([{ text: 'Visit our homepage at example dot org.' }])).toEqual([]);
  });
});
