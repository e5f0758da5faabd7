import { describe, expect, it } from 'vitest';
import { firstMatch } from '../../../src/extract/rule.ts';
import { SOURCE_RULES, sourceFromNoteParts } from '../../../src/extract/source.ts';
import { ruleInput } from './helpers.ts';

const sourceOf = (text: string) => firstMatch(SOURCE_RULES, ruleInput(text));

describe('sourceFromNoteParts', () => {
  it.each([
    [['Filter', 'USA', '12.05.2021'], 'Filter'],
    [['Cochrane Deutschland Stiftung (CDS)', '11.03.2020'], 'Cochrane Deutschland Stiftung (CDS)'],
    [['Drug Reporter', 'Ungarn', 'und INPUD – International Network of People who Use Drugs', '20.022020'], 'Drug Reporter'],
    [['Jane Doe', 'co-founder of a peer network', 'The Kansas City Star', 'USA', '15.07.2020'], 'The Kansas City Star'],
    [['Recovery Research Institute', 'USA', '15.09.2022', 'Video', '35:09'], 'Recovery Research Institute'],
    [['The Federal Ministry of Health', 'Frankfurt University of Applied Sciences', '2021'], 'The Federal Ministry of Health'],
    [['Quelle: CDC', 'USA', '14.05.2024'], 'CDC'],
    [['Source: The Filter', 'USA', '2021'], 'The Filter'],
    [['von Jane Doe', 'CBC News', 'Kanada', '02.02.2024'], 'CBC News'],
    [['by Jane Doe', 'The Guardian', 'UK', 'May 2023'], 'The Guardian'],
    [['von Jane Doe', 'Kanada', '2024'], 'von Jane Doe'],
    [['Vonovia', 'Deutschland', '2024'], 'Vonovia'],
    [['Filter', 'Quelle: CDC', 'USA', '2021'], 'Filter'],
  ])('reads the publisher of %j as %s', (parts, source) => {
    expect(sourceFromNoteParts(parts)).toBe(source);
  });

  it.each([
    [['Homepage']],
    [['USA', '12.05.2021']],
    [['12.05.2021']],
    [['Video', '35:09']],
    [[]],
  ])('reads no publisher from %j', (parts) => {
    expect(sourceFromNoteParts(parts)).toBeNull();
  });
});

describe('SOURCE_RULES', () => {
  it('takes the publisher from the source note, with the whole note as provenance', () => {
    expect(sourceOf('A title\n\nA body.\n\n(Filter, USA, 12.05.2021)')).toEqual({
      value: 'Filter', rule: 'source/note', line: 5, text: '(Filter, USA, 12.05.2021)',
    });
  });

  it('takes the publisher from a note that is never closed', () => {
    expect(sourceOf('A title\n\nA body. (Peer Network, USA, 15.97.2020')).toMatchObject({
      value: 'Peer Network', rule: 'source/note', text: '(Peer Network, USA, 15.97.2020',
    });
  });

  it('takes the publisher from a note that spans a line break', () => {
    expect(sourceOf('A title\n\nThe guide is out. (Harm Reduction\nInternational, UK, 02.03.2021)')?.value).toBe('Harm Reduction International');
  });

  it.each([
    ['Vancouver', 'Int J Drug Policy. 2020 Nov 9;88:103015. doi: 10.1016/j.drugpo.2020.103015.', 'Int J Drug Policy'],
    ['JAMA', 'JAMA Netw Open. 2022;5(11):e2241174.', 'JAMA Netw Open'],
    ['MMWR', 'MMWR Morb Mortal Wkly Rep 2021;70:202–207.', 'MMWR Morb Mortal Wkly Rep'],
    ['Cochrane', 'Cochrane Database of Systematic Reviews 2020, Issue 3. Art. No.: CD012880.', 'Cochrane Database of Systematic Reviews'],
    ['Zenodo', 'Zenodo. doi.org/10.5281/zenodo.5514066', 'Zenodo'],
    ['APA', 'Antoniou, T., Men, S. (2020) Addiction, doi.org/10.1111/add.15324.', 'Addiction'],
    ['corporate', 'Community Action Network. (2018), Dublin: Community Action Network.', 'Community Action Network'],
  ])('reads the venue of a %s citation line', (_style, line, venue) => {
    const hit = sourceOf(`A study title\n\nSmith J, Doe A, Roe B.\n\n${line}`);
    expect(hit).toMatchObject({ value: venue, rule: 'source/citation', line: 5 });
  });

  it('takes the venue line after an APA author line whose year is followed by the title', () => {
    const hit = sourceOf('Respecting the expertise of peers\n\nTouesnard, N., Patten, S. (2021). Respecting the expertise of peers.\n\nZenodo. doi.org/10.5281/zenodo.5514066');
    expect(hit).toMatchObject({ value: 'Zenodo', rule: 'source/citation', line: 5 });
  });

  it('prefers the source note over a citation venue', () => {
    expect(sourceOf('A study\n\nJAMA Netw Open. 2022;5(11):e2241174.\n\n(Recovery Research Institute, USA, 15.09.2022)')?.value).toBe(
      'Recovery Research Institute',
    );
  });

  it.each([
    ['a "(Homepage)" note', 'A title\n\n(Homepage)'],
    ['prose that opens with a year', 'A title\n\nIn 2020. The program expanded to three cities.'],
    ['prose with a year and a semicolon', 'A title\n\nPublished 2021; all rights reserved.'],
    ['an acronym at the end of a sentence', 'A title\n\nThe program is run by the league (AIVL)'],
    ['an author line alone', 'A title\n\nPauly BB, Mamdani Z, Mesley L, McKenzie S.'],
  ])('finds no source in %s', (_what, text) => {
    expect(sourceOf(text)).toBeNull();
  });
});
