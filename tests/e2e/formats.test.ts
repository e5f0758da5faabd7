import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EntryRecord } from '../../src/types.ts';
import { digest } from '../helpers/cli.ts';
import { ROOT } from '../helpers/paths.ts';

const FIXTURE = join(ROOT, 'tests/fixtures/formats');

/** `digest parse FILE` through the binary: the JSONL records, with stderr and the exit code. */
function parse(file: string): { code: number; stderr: string; records: EntryRecord[] } {
  const r = digest(['parse', file]);
  const records = r.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EntryRecord);
  return { code: r.code, stderr: r.stderr, records };
}

/** A record without its file name (`duplicateOf` names the file too: `FILE#n` becomes `#n`). */
function withoutFile({ file, ...rest }: EntryRecord): Omit<EntryRecord, 'file'> {
  return { ...rest, duplicateOf: rest.duplicateOf?.startsWith(`${file}#`) ? rest.duplicateOf.slice(file.length) : rest.duplicateOf };
}

describe('digest parse on the same page as text, Markdown and HTML', () => {
  const txt = parse(join(FIXTURE, 'page.txt'));
  const md = parse(join(FIXTURE, 'page.md'));
  const html = parse(join(FIXTURE, 'page.html'));

  it('exits 0 with nothing on stderr for each of the three files', () => {
    expect([txt.code, md.code, html.code]).toEqual([0, 0, 0]);
    expect([txt.stderr, md.stderr, html.stderr]).toEqual(['', '', '']);
  });

  it('prints the eight entries of the page, in page order, each naming its own file', () => {
    expect(txt.records.map((r) => r.title)).toEqual([
      'Germany. Take-home naloxone project trains its 5,000th participant',
      'Drug-Checking in Thüringen: erste Bilanz des Modellprojekts',
      'Kanada. Harbour Street Outreach – zehn Jahre Konsumraum am Hafen',
      'Peer navigation and hepatitis C treatment among people who inject drugs: a cluster-randomised trial',
      'Netzwerk Schadensminderung. Peer work in practice: three short reports',
      'UK. Mobile needle and syringe service extends its evening hours',
      'Österreich. Substitutionsbehandlung: neue Leitlinie veröffentlicht',
      'DUVN. Community-led monitoring of stigma in health settings',
    ]);
    expect(txt.records.map((r) => r.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const [name, run] of [['page.txt', txt], ['page.md', md], ['page.html', html]] as const) {
      expect(run.records).toHaveLength(8);
      expect(new Set(run.records.map((r) => r.file))).toEqual(new Set([join(FIXTURE, name)]));
    }
  });

  it('gives the Markdown export exactly the records of the text, title, body and every field', () => {
    expect(md.records.map(withoutFile)).toEqual(txt.records.map(withoutFile));
  });

  it('gives the saved HTML page exactly the records of the text, title, body and every field', () => {
    expect(html.records.map(withoutFile)).toEqual(txt.records.map(withoutFile));
  });

  it('extracts real values from the page (the comparison is not between empty records)', () => {
    expect(withoutFile(html.records[0]!)).toMatchObject({ source: 'Netzwerk Naloxon', country: 'DE', date: '2024-03-14', datePrecision: 'day', language: 'en' });
    expect(html.records[1]!.body).toContain('„hilfreich und ohne erhobenen Zeigefinger“');
    expect(html.records[3]!).toMatchObject({ doi: '10.5555/jchr.2024.0142', pmid: '38012345' });
  });

  it('reads an HTML page saved under a .txt name as HTML (content sniffing), with the same records', () => {
    const dir = mkdtempSync(join(tmpdir(), 'digest-formats-'));
    const disguised = join(dir, 'saved-page.txt');
    copyFileSync(join(FIXTURE, 'page.html'), disguised);
    const r = parse(disguised);
    expect(r.code).toBe(0);
    expect(r.records.map(withoutFile)).toEqual(txt.records.map(withoutFile));
    expect(JSON.stringify(r.records)).not.toMatch(/<\/?(p|div|h\d|a)\b/);
  });
});
