import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { buildReport } from '../../src/report/build.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { renderReport } from '../../src/report/render.ts';
import { renderText } from '../../src/report/text.ts';
import { DEFAULT_THRESHOLDS } from '../../src/report/thresholds.ts';
import type { Report } from '../../src/report/types.ts';
import { pgliteTarget } from '../helpers/db.ts';
import { NOW, ROOT } from '../helpers/paths.ts';

const ctx = createContext({ now: NOW });

const LONG_TITLE = `Deutschland. ${'Ein sehr langer Titel über die Versorgung mit Substitution in ländlichen Regionen '.repeat(3).trim()}`;

/** A page whose titles try to break out of a terminal, a Markdown table and an HTML page. */
const NASTY_PAGE = [
  '<img src=x onerror=alert(1)>',
  '',
  'Pharmacies across the region now hand out naloxone kits without a prescription, and the first figures show that demand has doubled. (Harm Reduction News | Weekly, Kanada, 12.05.2021)',
  '',
  '',
  '<script>window.__xss=1</script>',
  '',
  'A peer network in Ohio has started a text-message service that warns people who use drugs about contaminated batches. (Filter, USA, 03.02.2022)',
  '',
  '',
  LONG_TITLE,
  '',
  'Die Zahl der substituierenden Ärztinnen und Ärzte sinkt seit Jahren; in vielen Landkreisen gibt es keine Praxis mehr. (Deutsches Ärzteblatt, Deutschland, 15.97.2020)',
  '',
  '',
  'Title with *stars*, _under_score_, [brackets](x) & `ticks` \u202eevil\u202c',
  '',
  'Body text that mentions <b>bold</b> markup and a pipe | for the Markdown table, in plain English prose. (Org & Co, UK, Juni 2022)',
  '',
].join('\n');

describe('the text and Markdown reports', () => {
  let handle: DbHandle;
  let report: Report;

  beforeAll(async () => {
    const opened = await pgliteTarget.open();
    handle = opened.handle;
    // A folder name long enough that every path must be shortened to fit.
    const dir = join(mkdtempSync(join(tmpdir(), 'digest-report-render-')), 'a-folder-with-a-rather-long-name-for-the-digest-pages-of-the-year-2024');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'nasty.txt'), NASTY_PAGE);
    writeFileSync(join(dir, 'picture.txt'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    for (const f of ['naloxone-2021.txt']) copyFileSync(join(ROOT, 'tests/fixtures/corpus', f), join(dir, f));
    await runIngest(handle, [dir], ctx);
    // The second run: the same page without its source notes, so that coverage drifts.
    const again = join(dir, 'again');
    mkdirSync(again);
    writeFileSync(join(again, 'nasty.txt'), NASTY_PAGE.replace(/ \([^()\n]*\)$/gm, ''));
    await runIngest(handle, [again], ctx);
    report = await buildReport(handle.db, { now: NOW, thresholds: { ...DEFAULT_THRESHOLDS, minCoverage: { doi: 1 } } });
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
  });

  it('has drift, failed checks and a rejected file to show (the hard case for widths)', () => {
    expect(report.coverage.rows.some((r) => r.drift)).toBe(true);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toContain('coverage:doi');
  });

  it.each([
    ['text', renderText],
    ['md', renderMarkdown],
  ] as const)('keeps every %s line within 100 characters', (_name, render) => {
    const lines = render(report).split('\n');
    const long = lines.filter((l) => l.length > 100);
    expect(long).toEqual([]);
    expect(lines.length).toBeGreaterThan(40);
  });

  it('opens the text report with the header and the summary', () => {
    const lines = renderText(report).split('\n');
    expect(lines[0]).toMatch(/^digest report: run 2 \(finished\) · \d{4}-\d\d-\d\d \d\d:\d\d UTC · /);
    expect(lines[2]).toBe('SUMMARY');
    expect(lines[3]).toMatch(/^  entries    4 read: \d new, 0 updated, 0 unchanged, \d duplicate, 0 rejected$/);
    expect(lines.slice(3, 12).join('\n')).toMatch(/accounting OK[\s\S]*drift +source -\d+\.\d, country/);
    expect(lines.findIndex((l) => l === 'RUN')).toBeGreaterThan(lines.findIndex((l) => l.includes('checks     FAILED')));
  });

  it('opens the Markdown report with the title and the summary list', () => {
    const lines = renderMarkdown(report).split('\n');
    expect(lines[0]).toBe('# digest report: run 2 (finished)');
    expect(lines[4]).toBe('## Summary');
    expect(lines[6]).toMatch(/^- \*\*entries\*\*: 4 read: \d new, 0 updated, 0 unchanged, \d duplicate, 0 rejected$/);
    expect(lines.indexOf('## Run')).toBeGreaterThan(lines.findIndex((l) => l.startsWith('- **checks**: FAILED')));
  });

  it('escapes titles in Markdown so that no HTML or table cell comes out of the data', async () => {
    // Run 2's entries lack sources, so their titles are diagnostic examples; run 1 lists the sources.
    const first = renderMarkdown(report) + renderMarkdown(await buildReport(handle.db, { runId: 1, now: NOW }));
    expect(first).toContain('\\<img src=x onerror=alert(1)\\>');
    expect(first).toContain('\\<script\\>window.\\_\\_xss=1\\</script\\>');
    expect(first).not.toMatch(/(^|[^\\])<(img|script|b)\b/m);
    expect(first).toContain('Harm Reduction News \\| Weekly');
    expect(first).not.toContain('\u202e');
    for (const row of first.split('\n').filter((l) => l.startsWith('| '))) {
      // Every pipe inside a cell is escaped, so a row has as many cells as its header.
      expect(row.replace(/\\\|/g, '').split('|').length).toBeGreaterThanOrEqual(3);
    }
  });

  it('writes stored values into the terminal without control characters', async () => {
    const text = renderText(report);
    expect(text).toContain('<img src=x onerror=alert(1)>');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('renders JSON as the report object itself', () => {
    expect(JSON.parse(renderReport(report, 'json'))).toEqual(JSON.parse(JSON.stringify(report)));
  });
});
