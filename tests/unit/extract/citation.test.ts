import { describe, expect, it } from 'vitest';
import { isAuthorLine, readCitations } from '../../../src/extract/citation.ts';

const cite = (text: string) => readCitations([{ text, line: 9 }]).map((h) => ({ rule: h.rule, venue: h.venue, dateText: h.dateText }));

describe('readCitations', () => {
  it.each([
    ['Int J Drug Policy. 2020 Nov 9;88:103015.', 'citation/vancouver', 'Int J Drug Policy', '2020 Nov 9'],
    ['JAMA Netw Open. 2022;5(11):e2241174.', 'citation/vancouver', 'JAMA Netw Open', '2022'],
    ['MMWR Morb Mortal Wkly Rep 2021;70:202–207.', 'citation/vancouver', 'MMWR Morb Mortal Wkly Rep', '2021'],
    ['Cochrane Database of Systematic Reviews 2020, Issue 3. Art. No.: CD012880.', 'citation/cochrane', 'Cochrane Database of Systematic Reviews', '2020'],
    ['Zenodo. doi.org/10.5281/zenodo.5514066', 'citation/doi-line', 'Zenodo', null],
    ['Community Action Network. (2018), Dublin: Community Action Network.', 'citation/corporate', 'Community Action Network', '2018'],
    ['Antoniou, T., Men, S. (2020) Addiction, doi.org/10.1111/add.15324.', 'citation/apa-venue', 'Addiction', '2020'],
    ['Touesnard, N., Patten, S., & Blanchet- Gagnon, M. (2021). Respect Us: A guide, with notes (3.0).', 'citation/apa-year', null, '2021'],
    ['Strang J, Groshkova T, Uchtenhagen A et al. (2015) Heroin on trial: systematic review and meta-analysis. Br J Psychiatry 207(1):5-14. DOI: 10.1192/bjp.bp.114.149195', 'citation/author-year-vancouver', 'Br J Psychiatry', '2015'],
    ['Meyer M, Lang U (2019). Heroingestützte Behandlung in der Schweiz. Suchttherapie 20:12-18.', 'citation/author-year-vancouver', 'Suchttherapie', '2019'],
    ['Strang J, Groshkova T, et al. (2015) Heroin on trial.', 'citation/apa-year', null, '2015'],
  ])('reads "%s" with %s', (line, rule, venue, dateText) => {
    expect(cite(line)).toEqual([{ rule, venue, dateText }]);
  });

  it('does not read the title of the work after "(2021)." as its venue', () => {
    expect(cite('Touesnard, N., Patten, S., Blanchet-Gagnon, M. (2021). Respecting the expertise of peers.')).toEqual([
      { rule: 'citation/apa-year', venue: null, dateText: '2021' },
    ]);
  });

  it('keeps the line the citation was read from', () => {
    expect(readCitations([{ text: '  JAMA Netw Open. 2022;5(11):e2241174.', line: 12 }])[0]?.line).toEqual({
      text: '  JAMA Netw Open. 2022;5(11):e2241174.',
      line: 12,
    });
  });

  it.each([
    'In 2020. The program expanded to three cities.',
    'Published 2021; all rights reserved.',
    'The service opened in March 2021 and is run by peers.',
    'Video, 35:09',
    'Pauly BB, Mamdani Z, Mesley L, McKenzie S.',
    'doi: 10.1016/j.drugpo.2020.103015',
  ])('reads no citation from "%s"', (line) => {
    expect(cite(line)).toEqual([]);
  });
});

describe('isAuthorLine', () => {
  it.each([
    'Pauly BB, Mamdani Z, Mesley L, McKenzie S, Cameron F.',
    'USA. Zang X, Walley AY, Chatterjee A, et al.',
    'Touesnard, Natasha, Patten, San, McCrindle, Jenn',
  ])('takes "%s" as an author list', (line) => {
    expect(isAuthorLine(line)).toBe(true);
  });

  it.each([
    'Peers, nurses, doctors and police officers met in the town hall for a long talk about the service.',
    'Call to Action',
    'A single sentence of prose.',
  ])('does not take "%s" as an author list', (line) => {
    expect(isAuthorLine(line)).toBe(false);
  });

  it('does not take a short sentence ending in a source note as an author list', () => {
    expect(isAuthorLine('Read the guide. (Filter, USA, 12.05.2021)')).toBe(false);
  });

  it('takes an author list of Dutch names with particles as an author list', () => {
    expect(isAuthorLine('van der Berg J, de Vries HJ, van den Hoek A, Bakker-de Jong M, Visser van Dijk P.')).toBe(true);
  });
});
