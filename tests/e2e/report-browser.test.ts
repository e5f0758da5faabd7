import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '../../src/db/client.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { buildReport } from '../../src/report/build.ts';
import { renderHtml } from '../../src/report/html.ts';
import type { Report } from '../../src/report/types.ts';
import { pgliteTarget } from '../helpers/db.ts';
import { NOW, ROOT } from '../helpers/paths.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
// In CI the browser test must run (.ci/run installs chromium); elsewhere it may be skipped.
const SKIP = !HAS_CHROMIUM && !process.env.CI;
if (SKIP) console.warn(`report-browser: ${CHROMIUM} is missing, so the HTML report is not tested in a browser (apt-get install chromium).`);

const IMG_TITLE = '<img src=x onerror=alert(1)>';
const SCRIPT_TITLE = '<script>window.__xss=1</script>';

/** Two hostile titles among ordinary entries. */
const XSS_PAGE = [
  IMG_TITLE,
  '',
  'Pharmacies across the region now hand out naloxone kits without a prescription, and the first figures show that demand has doubled. (Harm Reduction News, Kanada, 12.05.2021)',
  '',
  '',
  SCRIPT_TITLE,
  '',
  'A peer network in Ohio has started a text-message service that warns people who use drugs about contaminated batches. (Filter, USA, 03.02.2022)',
  '',
].join('\n');

describe.skipIf(SKIP)('the HTML report in Chromium', () => {
  let handle: DbHandle;
  let report: Report;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    handle = (await pgliteTarget.open()).handle;
    const dir = mkdtempSync(join(tmpdir(), 'digest-report-browser-'));
    mkdirSync(join(dir, 'pages'));
    writeFileSync(join(dir, 'pages/xss.txt'), XSS_PAGE);
    for (const f of ['naloxone-2021.txt', 'covid-2020.txt']) copyFileSync(join(ROOT, 'tests/fixtures/corpus', f), join(dir, 'pages', f));
    await runIngest(handle, [join(dir, 'pages')], createContext({ now: NOW }));
    report = await buildReport(handle.db, { now: NOW });
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(report));

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#entries-table tbody tr');
  });
  afterAll(async () => {
    await browser?.close();
    await handle?.close().catch(() => {});
  });

  it('draws one SVG bar per coverage field, language, top country and dated month', async () => {
    expect(await page.locator('#chart-coverage rect.bar').count()).toBe(report.coverage.rows.length);
    expect(await page.locator('#chart-languages rect.bar').count()).toBe(report.languages.length);
    expect(await page.locator('#chart-countries rect.bar').count()).toBe(report.countries.top.length);
    expect(await page.locator('#chart-dates rect.bar').count()).toBe(report.dates.byMonth.length);
    expect(report.dates.byMonth.length).toBeGreaterThan(5);
    // The bars are laid out, not just present: the widest language bar is the commonest language.
    const widths = await page.locator('#chart-languages rect.bar').evaluateAll((els) => els.map((e) => (e as unknown as { getBBox(): { width: number } }).getBBox().width));
    expect(widths[0]).toBeGreaterThan(0);
    expect(widths).toEqual([...widths].sort((a, b) => b - a));
    const box = await page.locator('#chart-dates').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
  });

  it('lists every entry in the table and filters it as one types', async () => {
    const rows = page.locator('#entries-table tbody tr:not([hidden])');
    expect(await rows.count()).toBe(report.entries.rows.length);
    await page.fill('#entry-filter', 'naloxone');
    const expected = report.entries.rows.filter((r) => [r.file, r.title, r.source ?? '', ...r.issues.map((i) => `${i.code} ${i.message}`)].join('\n').toLowerCase().includes('naloxone'));
    expect(expected.length).toBeGreaterThan(1);
    expect(await rows.count()).toBe(expected.length);
    expect(await page.locator('#entries-shown').textContent()).toBe(`${expected.length} of ${report.entries.rows.length} entries shown`);
    await page.fill('#entry-filter', 'date/invalid');
    const invalid = report.entries.rows.filter((r) => r.issues.some((i) => i.code === 'date/invalid'));
    expect(await rows.count()).toBe(invalid.length);
    await page.fill('#entry-filter', '');
    await page.selectOption('#issue-filter', 'source/missing');
    expect(await rows.count()).toBe(report.diagnostics.groups.find((g) => g.code === 'source/missing')!.count);
    await page.selectOption('#issue-filter', '');
    expect(await rows.count()).toBe(report.entries.rows.length);
  });

  it('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    const titles = () => page.locator('#entries-table tbody tr td:nth-child(3)').allTextContents();
    await page.click('#entries-table th[data-key="title"] button');
    const collator = new Intl.Collator('en', { numeric: true });
    const asc = report.entries.rows.map((r) => r.title).sort((a, b) => collator.compare(a.toLowerCase(), b.toLowerCase()));
    expect(await titles()).toEqual(asc);
    expect(await page.getAttribute('#entries-table th[data-key="title"]', 'aria-sort')).toBe('ascending');
    await page.click('#entries-table th[data-key="title"] button');
    expect(await titles()).toEqual([...asc].reverse());
    await page.click('#entries-table th[data-key="date"] button');
    const dates = (await page.locator('#entries-table tbody tr td:nth-child(7)').allTextContents()).filter(Boolean);
    expect(dates).toEqual([...dates].sort());
  });

  it('shows the hostile titles as text and runs no script from the data', async () => {
    await page.fill('#entry-filter', 'onerror');
    const cell = page.locator('#entries-table tbody tr:not([hidden]) td.title');
    expect(await cell.allTextContents()).toEqual([IMG_TITLE]);
    await page.fill('#entry-filter', 'window.__xss');
    expect(await cell.allTextContents()).toEqual([SCRIPT_TITLE]);
    await page.fill('#entry-filter', '');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2); // the JSON data and the page's own script
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    // The report's data reaches the page intact through the escaped JSON.
    const embedded = await page.evaluate(() => JSON.parse((globalThis as unknown as { document: { getElementById(id: string): { textContent: string } } }).document.getElementById('report-data').textContent));
    expect(embedded.entries.rows.map((r: { title: string }) => r.title)).toContain(SCRIPT_TITLE);
  });

  it('saves a screenshot of the report into tests/output/', async () => {
    const out = join(ROOT, 'tests/output');
    mkdirSync(out, { recursive: true });
    await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
    await page.screenshot({ path: join(out, 'report-top.png') });
    await page.locator('#chart-dates').screenshot({ path: join(out, 'report-dates.png') });
    // The two hostile titles, shown as text in the table.
    await page.fill('#entry-filter', 'xss.txt');
    await page.locator('#entries').screenshot({ path: join(out, 'report-entries-xss.png') });
    await page.fill('#entry-filter', '');
    await page.screenshot({ path: join(out, 'report-full.png'), fullPage: true });
    expect(existsSync(join(out, 'report-full.png'))).toBe(true);
  });
});
