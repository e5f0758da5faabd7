import { describe, expect, it } from 'vitest';
import { isJournalTitle, isOrganisationName, readCitations } from '../../../src/extract/citation.ts';

/** The citation hits of one line: rule, venue and the text the date is read from. */
const cite = (text: string) => readCitations([{ text, line: 9 }]).map((h) => ({ rule: h.rule, venue: h.venue, dateText: h.dateText }));

describe('citation rules added for issue 3', () => {
  it.each([
    ['citation/place-publisher', 'NCHS Data Brief, no 457. Hyattsville, MD: National Center for Health Statistics. 2023. DOI: https://dx.doi.org/10.15620/cdc:122556.', 'National Center for Health Statistics', '2023'],
    ['citation/place-publisher', 'Geneva: World Health Organization; 2022. Licence: CC BY-NC-SA 3.0 IGO.', 'World Health Organization', '2022'],
    ['citation/vancouver-inline', 'Smith J, Jones K. Take-home naloxone: a review. Addiction. 2019;114(5):800-810.', 'Addiction', '2019'],
    ['citation/vancouver-inline', 'Strang J, Groshkova T. Heroin on trial. Br J Psychiatry. 2015 Jul;207(1):5-14.', 'Br J Psychiatry', '2015 Jul'],
    ['citation/corporate', 'Harm Reduction International (2022). Global State of Harm Reduction 2022. London: HRI.', 'Harm Reduction International', '2022'],
    ['citation/springer', 'Harm Reduct J 20, 164 (2023). https://doi.org/10.1186/s12954-023-00899-5', 'Harm Reduct J', '2023'],
    ['citation/springer', 'Harm Reduction Journal volume 18, Article number: 55 (2021)', 'Harm Reduction Journal', '2021'],
    ['citation/journal-year', 'Sucht (2022), 68 (3), 145–152. https://doi.org/10.1024/0939-5911/a000765', 'Sucht', '2022'],
    ['citation/volume-line', 'International Journal of Drug Policy, Volume 88, February 2021, 103015', 'International Journal of Drug Policy', 'February 2021'],
    ['citation/volume-line', 'Addiction, Volume 116, Issue 5, May 2021, Pages 1234-1245', 'Addiction', 'May 2021'],
    ['citation/apa-journal', 'Okafor, A., Moreau, C. (2024). Peer navigation. Journal of Community Harm Reduction, 14(2), 101–112.', 'Journal of Community Harm Reduction', '2024'],
    ['citation/apa-journal-line', 'Journal of Community Harm Reduction, 14(2), 101–112. doi: 10.5555/jchr.2024.0142.', 'Journal of Community Harm Reduction', null],
  ])('%s reads "%s"', (rule, line, venue, dateText) => {
    expect(cite(line)).toEqual([{ rule, venue, dateText }]);
  });

  it.each([
    // place-publisher: a label before a colon, then prose, is no place and publisher
    'Fazit: Die Zahl der Drogentoten stieg 2023 erneut.',
    'Berlin: Die Senatsverwaltung hat entschieden. 2022.',
    'Hinweis: Die Veranstaltung fällt aus. 2021 findet sie wieder statt.',
    // vancouver / vancouver-inline: a sentence that ends in a year is no journal
    'Copenhagen opened its first room in 2012.',
    'Deaths rose sharply. The increase was 2021; 12% higher than before.',
    'The programme opened in 2019. Since 2020; 5 new sites have opened.',
    // corporate: a surname with initials, an indefinite article, a year inside a sentence
    'Smith J (2020). Naloxone in the community.',
    'Eine Studie der Universität (2020). Die Ergebnisse zeigen einen Rückgang.',
    'Die Zahl der Todesfälle stieg (2021) weiter an.',
    // springer: a year is no volume, prose is no journal
    'Drogentote 2020, 1826 Menschen (2021)',
    'The study followed 20, 164 participants (2023).',
    // journal-year: a count after the year is no volume and pages
    'Drogentote (2021), 1826 Menschen',
    'Berlin (2021), 3 Projekte, 2 Standorte',
    // volume-line: no year, or prose before "volume"
    'Harm reduction, volume 2, 2021',
    'Sucht und Drogen, Volume 12, Seite 45',
    // apa-journal-line: a list of years or doses is no journal, volume and pages
    'Deaths, 2021, 2022 and 2023',
    'Naloxon, 4 mg, 2 Sprühstöße',
    'In Berlin, 12 Menschen, 3 Projekte.',
    // author-year-vancouver: a clock time or a chapter after a year in parentheses is no journal
    'Das Treffen, das wir (2019) hatten, war gut. Beginn 19:30 Uhr im Saal.',
    'The film (2021) is online. Part 2: the trial.',
  ])('reads no citation from "%s"', (line) => {
    expect(cite(line)).toEqual([]);
  });

  it('reads no venue from an APA line whose year is followed by a full reference without volume', () => {
    expect(cite('Smith, J. (2020). Overdose deaths in 2019. Many regions, 12 states, reported more.')).toEqual([
      { rule: 'citation/apa-year', venue: null, dateText: '2020' },
    ]);
  });
});

describe('isJournalTitle', () => {
  it.each(['Int J Drug Policy', 'Harm Reduction Journal', 'International Journal of Drug Policy', 'eClinicalMedicine', 'Zenodo'])(
    'takes "%s" as a journal title',
    (t) => expect(isJournalTitle(t)).toBe(true),
  );
  it.each(['Copenhagen opened its first room in', 'The study followed', 'The increase was'])(
    'does not take the prose "%s" as a journal title',
    (t) => expect(isJournalTitle(t)).toBe(false),
  );
});

describe('isOrganisationName', () => {
  it.each(['National Center for Health Statistics', 'Bundeszentrale für gesundheitliche Aufklärung', 'Die Drogenbeauftragte der Bundesregierung'])(
    'takes "%s" as an organisation',
    (t) => expect(isOrganisationName(t)).toBe(true),
  );
  it.each(['Die Senatsverwaltung hat entschieden', 'Eine Studie der Universität', 'the report was published'])(
    'does not take "%s" as an organisation',
    (t) => expect(isOrganisationName(t)).toBe(false),
  );
});
