import { describe, expect, it } from 'vitest';
import { detectLanguage, languageText } from '../../../src/language/language.ts';
import { extractText, testContext } from '../extract/helpers.ts';

const langOf = (text: string) => detectLanguage(extractText(text, 'page.txt', 2), testContext());

const ENGLISH = 'Peer workers in the city opened a new drop-in centre this week. The centre offers clean supplies, '
  + 'naloxone training and a quiet place to rest, and it is run by people who use drugs themselves.';
const GERMAN = 'In der Stadt hat diese Woche eine neue Kontaktstelle eröffnet. Dort gibt es saubere Spritzen, '
  + 'eine Schulung zu Naloxon und einen ruhigen Ort zum Ausruhen, und sie wird von Menschen geführt, die selbst Drogen nehmen.';

describe('detectLanguage', () => {
  it('detects an English entry', () => {
    const { language, diagnostics } = langOf(`Peers open a drop-in centre\n\n${ENGLISH}\n\n(Filter, USA, 12.05.2021)`);
    expect(language).toMatchObject({ value: 'en', rule: 'language/franc', line: 1 });
    expect(diagnostics).toEqual([]);
  });

  it('detects a German entry', () => {
    const { language, diagnostics } = langOf(`Kontaktstelle eröffnet\n\n${GERMAN}\n\n(Deutsche Aidshilfe, Deutschland, 12.05.2021)`);
    expect(language).toMatchObject({ value: 'de', rule: 'language/franc' });
    expect(diagnostics).toEqual([]);
  });

  it('detects a German entry even when the title carries an English name', () => {
    expect(langOf(`Harm Reduction Goes Political\n\n${GERMAN}`).language.value).toBe('de');
  });

  it('answers "und" for a three-word title with nothing after it, with a diagnostic carrying file, n and line', () => {
    const { language, diagnostics } = langOf('Kanada. Peer Network');
    expect(language).toMatchObject({ value: 'und', rule: 'language/too-short', line: 1 });
    expect(diagnostics).toMatchObject([{ code: 'language/undetermined', severity: 'info', file: 'page.txt', n: 2, line: 1 }]);
  });

  it('answers "und" for a short title whose only other text is a source note', () => {
    expect(langOf('Drug checking services\n\n(Filter, USA, 12.05.2021)').language.value).toBe('und');
  });

  it('ignores a long list of Dutch-looking author names (initials after each name) when detecting the language', () => {
    const text = [
      'Take-home naloxone and overdose deaths after prison release: a cohort study',
      '',
      'Bakker J, Visser HJ, Smit A, Mulder M, de Jong P, Bos R, Vos W, Peters K, Hendriks S, Dekker T, van Dijk L, Jansen E.',
      '',
      'Int J Drug Policy. 2021 Mar 2;90:103080.',
    ].join('\n');
    expect(langOf(text).language.value).toBe('en');
  });

  it('ignores a long list of Dutch author names with particles when detecting the language', () => {
    const text = [
      'Take-home naloxone programs and overdose deaths among people released from prison: a cohort study',
      '',
      'van der Berg J, de Vries HJ, van den Hoek A, Bakker-de Jong M, Visser van Dijk P, van Leeuwen-Smit R, de Groot-Janssen W, Meijer van der Linden K, van Dam S, de Boer-Hendriks T.',
      '',
      'Int J Drug Policy. 2021 Mar 2;90:103080. doi: 10.1016/j.drugpo.2021.103080. PMID: 33684698.',
    ].join('\n');
    expect(langOf(text).language.value).toBe('en');
  });
});

describe('languageText', () => {
  it('keeps title and prose and drops the note, author line, citation line, URLs and identifiers', () => {
    const ex = extractText([
      'Peers open a centre',
      '',
      'The centre is run by peers. See https://example.org/centre for more.',
      '',
      'Zang X, Walley AY, Chatterjee A, et al.',
      '',
      'JAMA Netw Open. 2022;5(11):e2241174. doi: 10.1001/jamanetworkopen.2022.41174 PMID: 36331505',
      '',
      'The last paragraph tells where the centre is and when it opens its doors. (Filter, USA, 12.05.2021)',
    ].join('\n'));
    expect(languageText(ex, 400)).toBe(
      'Peers open a centre The centre is run by peers. See for more. The last paragraph tells where the centre is and when it opens its doors.',
    );
  });

  it('keeps a short closing sentence that ends in a source note', () => {
    const ex = extractText('Peers open a centre\n\nRead the guide. (Filter, USA, 12.05.2021)');
    expect(languageText(ex, 400)).toBe('Peers open a centre Read the guide.');
  });

  it('cuts the text at the configured number of characters', () => {
    expect(languageText(extractText(`A title\n\n${ENGLISH}`), 20)).toBe('A title Peer workers');
  });
});
