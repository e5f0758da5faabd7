import { createHash } from 'node:crypto';
import { diagnosticCounts, duration, pct, points, runLabel, statusLabel, summaryLines, when } from './format.ts';
import { COVERAGE_LABELS, type Count, type Report } from './types.ts';

/** Text for HTML content and attribute values: `& < > " '` escaped. */
export function esc(s: string | number | null | undefined): string {
  if (s == null) return '';
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * JSON safe inside `<script type="application/json">`: every `<` (so no `</script>` or `<!--`)
 * and the line separators U+2028/U+2029 written as \u escapes; JSON.parse reads them back.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

interface HBar {
  label: string;
  /** Bar length as a fraction of the track. */
  fraction: number;
  /** The value written after the bar. */
  text: string;
  /** Where the previous run's value was, as a fraction (coverage), if any. */
  marker?: number | null;
  /** Extra class on the bar (e.g. `drift`). */
  cls?: string;
}

/** A horizontal bar chart as inline SVG: one `rect.bar` per row. */
function hbars(id: string, caption: string, rows: HBar[], labelWidth = 150): string {
  const barW = 380;
  const rowH = 22;
  const top = 6;
  const width = labelWidth + barW + 90;
  const height = top * 2 + rows.length * rowH;
  const parts = rows.map((r, i) => {
    const y = top + i * rowH;
    const w = Math.max(0, Math.min(1, r.fraction)) * barW;
    const marker =
      r.marker != null ? `<line class="prev" x1="${f1(labelWidth + r.marker * barW)}" x2="${f1(labelWidth + r.marker * barW)}" y1="${y + 1}" y2="${y + 17}"><title>before: ${esc(pct(r.marker))}</title></line>` : '';
    return (
      `<text class="label" x="${labelWidth - 8}" y="${y + 13}" text-anchor="end">${esc(r.label)}</text>` +
      `<rect class="track" x="${labelWidth}" y="${y + 3}" width="${barW}" height="12"></rect>` +
      `<rect class="bar${r.cls ? ` ${r.cls}` : ''}" x="${labelWidth}" y="${y + 3}" width="${f1(w)}" height="12"><title>${esc(`${r.label}: ${r.text}`)}</title></rect>` +
      marker +
      `<text class="value" x="${f1(labelWidth + barW + 8)}" y="${y + 13}">${esc(r.text)}</text>`
    );
  });
  return `<figure><figcaption>${esc(caption)}</figcaption><svg id="${esc(id)}" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(caption)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg></figure>`;
}

const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;

/** Entries per month as an inline SVG histogram on a continuous time axis: one `rect.bar` per month with entries. */
function monthHistogram(id: string, caption: string, months: Count[]): string {
  const width = 900;
  const height = 240;
  const pad = { l: 40, r: 10, t: 12, b: 34 };
  const plotW = width - pad.l - pad.r;
  const plotH = height - pad.t - pad.b;
  const svg = (inner: string) =>
    `<figure><figcaption>${esc(caption)}</figcaption><svg id="${esc(id)}" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(caption)}" xmlns="http://www.w3.org/2000/svg">${inner}</svg></figure>`;
  if (!months.length) return svg(`<text class="label" x="${pad.l}" y="${pad.t + 20}">no entries dated to a month or day</text>`);
  const first = monthIndex(months[0]!.key);
  const last = monthIndex(months[months.length - 1]!.key);
  const span = last - first + 1;
  const slot = plotW / span;
  const max = Math.max(...months.map((m) => m.count));
  const parts: string[] = [];
  parts.push(`<line class="axis" x1="${pad.l}" x2="${width - pad.r}" y1="${pad.t + plotH}" y2="${pad.t + plotH}"></line>`);
  parts.push(`<text class="label" x="${pad.l - 6}" y="${pad.t + 10}" text-anchor="end">${max}</text>`);
  parts.push(`<text class="label" x="${pad.l - 6}" y="${pad.t + plotH}" text-anchor="end">0</text>`);
  for (const m of months) {
    const h = (m.count / max) * plotH;
    const x = pad.l + (monthIndex(m.key) - first) * slot;
    parts.push(
      `<rect class="bar" x="${f1(x + Math.min(1, slot * 0.1))}" y="${f1(pad.t + plotH - h)}" width="${f1(Math.max(1, slot - Math.min(2, slot * 0.2)))}" height="${f1(h)}"><title>${esc(`${m.key}: ${m.count}`)}</title></rect>`,
    );
  }
  // Year ticks, thinned so that labels do not overlap.
  const firstYear = Math.floor(first / 12);
  const lastYear = Math.floor(last / 12);
  const step = Math.max(1, Math.ceil(((lastYear - firstYear + 1) * 40) / plotW));
  for (let y = firstYear; y <= lastYear; y += step) {
    const x = pad.l + (Math.max(y * 12, first) - first) * slot;
    parts.push(`<line class="tick" x1="${f1(x)}" x2="${f1(x)}" y1="${pad.t + plotH}" y2="${pad.t + plotH + 5}"></line>`);
    parts.push(`<text class="label" x="${f1(x)}" y="${pad.t + plotH + 18}">${y}</text>`);
  }
  return svg(parts.join(''));
}

function table(head: string[], rows: Array<Array<string | number | null>>, numeric: number[] = [], cls = ''): string {
  const th = head.map((h, i) => `<th${numeric.includes(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${numeric.includes(i) ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const STYLE = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#d9dde5;--bar:#3a6ea5;--track:#eef1f6;--bad:#b3261e;--ok:#1e7b34;--bg:#fff}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1180px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.meta,.note{color:var(--muted)}
.ok{color:var(--ok);font-weight:600}.bad{color:var(--bad);font-weight:600}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:12px 0}
dl.summary dt{font-weight:600}dl.summary dd{margin:0}
table{border-collapse:collapse;margin:8px 0;width:auto}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f7f9;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
figure{margin:12px 0 20px}figcaption{font-weight:600;margin-bottom:4px}
svg.chart{max-width:100%;height:auto;font-size:12px}
svg .bar{fill:var(--bar)}svg .bar.drift{fill:var(--bad)}svg .track{fill:var(--track)}
svg .prev{stroke:var(--fg);stroke-width:2}svg .axis,svg .tick{stroke:var(--muted)}
svg .label,svg .value{fill:var(--fg)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:8px 24px}
details{margin:4px 0}summary{cursor:pointer}
ul.examples{margin:4px 0 8px;padding-left:20px}ul.examples li{margin:2px 0}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.controls{display:flex;gap:12px;flex-wrap:wrap;align-items:center;margin:8px 0}
.controls input{padding:4px 8px;min-width:260px}
#entries-table{width:100%;font-size:13px}
#entries-table th button{all:unset;cursor:pointer;font-weight:600}
#entries-table th[aria-sort=ascending] button::after{content:" ▲"}
#entries-table th[aria-sort=descending] button::after{content:" ▼"}
#entries-table td{white-space:nowrap}
#entries-table td.title{white-space:normal;min-width:320px;max-width:480px;overflow-wrap:anywhere}
#entries-table td.wrap{white-space:normal;min-width:140px;max-width:240px}
.issue{display:inline-block;background:#fdf0e6;border:1px solid #f0c9a8;border-radius:3px;padding:0 4px;margin:1px 2px 1px 0;font-size:12px}
.issue.error{background:#fbe4e2;border-color:#e8a7a1}.issue.info{background:#eef1f6;border-color:var(--line)}
a.issue-link{color:inherit}
.scroll{overflow-x:auto}
`;

/**
 * The entries table: filled from the embedded JSON with textContent only (never innerHTML),
 * filtered by text, diagnostic and outcome, sorted by clicking a column header.
 */
const SCRIPT = `
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var rows = report.entries.rows;
  var table = document.getElementById('entries-table');
  var tbody = table.tBodies[0];
  var filter = document.getElementById('entry-filter');
  var issueSel = document.getElementById('issue-filter');
  var outcomeSel = document.getElementById('outcome-filter');
  var shown = document.getElementById('entries-shown');
  function base(p) { var i = p.lastIndexOf('/'); return i < 0 ? p : p.slice(i + 1); }
  function text(v) { return v == null ? '' : String(v); }
  var COLS = {
    file: function (r) { return r.file + '\\u0000' + ('0000000000' + r.n).slice(-10); },
    n: function (r) { return r.n; },
    title: function (r) { return r.title.toLowerCase(); },
    outcome: function (r) { return r.outcome; },
    source: function (r) { return text(r.source).toLowerCase(); },
    country: function (r) { return text(r.country); },
    date: function (r) { return text(r.date); },
    language: function (r) { return text(r.language); },
    issues: function (r) { return r.issues.length; },
    item: function (r) { return r.itemId == null ? -1 : r.itemId; }
  };
  function td(value, cls) {
    var el = document.createElement('td');
    el.textContent = text(value);
    if (cls) el.className = cls;
    return el;
  }
  var items = rows.map(function (r) {
    var tr = document.createElement('tr');
    var file = td(base(r.file) + ':' + r.line, 'mono');
    file.title = r.file;
    tr.appendChild(file);
    tr.appendChild(td(r.n, 'num'));
    tr.appendChild(td(r.title, 'title'));
    tr.appendChild(td(r.outcome));
    tr.appendChild(td(r.source, 'wrap'));
    tr.appendChild(td(r.country));
    tr.appendChild(td(r.date));
    tr.appendChild(td(r.language));
    var issues = document.createElement('td');
    issues.className = 'wrap';
    r.issues.forEach(function (d) {
      var s = document.createElement('span');
      s.className = 'issue ' + (d.severity === 'error' ? 'error' : d.severity === 'info' ? 'info' : 'warning');
      s.textContent = d.code;
      s.title = d.message;
      issues.appendChild(s);
    });
    tr.appendChild(issues);
    tr.appendChild(td(r.itemId, 'num'));
    var hay = [r.file, r.n, r.title, r.outcome, r.source, r.country, r.date, r.language, r.doi, r.itemId]
      .concat(r.issues.map(function (d) { return d.code + ' ' + d.message; }))
      .map(text).join('\\n').toLowerCase();
    return { row: r, tr: tr, hay: hay, codes: r.issues.map(function (d) { return d.code; }) };
  });
  function addOption(select, value, label) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
  }
  var codes = {};
  var outcomes = {};
  items.forEach(function (it) {
    it.codes.forEach(function (c) { codes[c] = (codes[c] || 0) + 1; });
    outcomes[it.row.outcome] = (outcomes[it.row.outcome] || 0) + 1;
  });
  addOption(issueSel, '', 'any or none');
  addOption(issueSel, '*', 'with a diagnostic');
  addOption(issueSel, '-', 'without a diagnostic');
  Object.keys(codes).sort().forEach(function (c) { addOption(issueSel, c, c + ' (' + codes[c] + ')'); });
  addOption(outcomeSel, '', 'all');
  Object.keys(outcomes).sort().forEach(function (o) { addOption(outcomeSel, o, o + ' (' + outcomes[o] + ')'); });
  function apply() {
    var q = filter.value.trim().toLowerCase();
    var words = q ? q.split(/\\s+/) : [];
    var code = issueSel.value;
    var outcome = outcomeSel.value;
    var visible = 0;
    items.forEach(function (it) {
      var ok = words.every(function (w) { return it.hay.indexOf(w) >= 0; });
      if (ok && code === '*') ok = it.codes.length > 0;
      else if (ok && code === '-') ok = it.codes.length === 0;
      else if (ok && code) ok = it.codes.indexOf(code) >= 0;
      if (ok && outcome) ok = it.row.outcome === outcome;
      it.tr.hidden = !ok;
      if (ok) visible++;
    });
    var note = visible + ' of ' + items.length + ' entries shown';
    if (report.entries.total > items.length) note += ' (the report holds the first ' + items.length + ' of ' + report.entries.total + ')';
    shown.textContent = note;
  }
  var collator = new Intl.Collator('en', { numeric: true });
  var sortKey = null;
  var sortDir = 1;
  function sortBy(key) {
    sortDir = sortKey === key ? -sortDir : 1;
    sortKey = key;
    var get = COLS[key];
    items.sort(function (a, b) {
      var x = get(a.row), y = get(b.row);
      var c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return c * sortDir;
    });
    var frag = document.createDocumentFragment();
    items.forEach(function (it) { frag.appendChild(it.tr); });
    tbody.appendChild(frag);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      if (th.getAttribute('data-key') === key) th.setAttribute('aria-sort', sortDir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    var b = th.querySelector('button');
    if (b) b.addEventListener('click', function () { sortBy(th.getAttribute('data-key')); });
  });
  var frag = document.createDocumentFragment();
  items.forEach(function (it) { frag.appendChild(it.tr); });
  tbody.appendChild(frag);
  filter.addEventListener('input', apply);
  issueSel.addEventListener('change', apply);
  outcomeSel.addEventListener('change', apply);
  Array.prototype.forEach.call(document.querySelectorAll('a[data-issue]'), function (a) {
    a.addEventListener('click', function () {
      issueSel.value = a.getAttribute('data-issue');
      apply();
    });
  });
  apply();
})();
`;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

const ENTRY_COLUMNS: Array<[key: string, label: string, numeric?: boolean]> = [
  ['file', 'file:line'],
  ['n', '#', true],
  ['title', 'title'],
  ['outcome', 'outcome'],
  ['source', 'source'],
  ['country', 'country'],
  ['date', 'date'],
  ['language', 'lang'],
  ['issues', 'diagnostics'],
  ['item', 'item', true],
];

/**
 * The report as one self-contained HTML page: inline CSS, inline SVG charts (coverage,
 * languages, countries, dates per month), the sections as tables, and a sortable, filterable
 * entries table that an inline script builds from the report JSON embedded in
 * `<script type="application/json">`. Nothing is fetched; a Content-Security-Policy allows
 * only this page's own script and style (by hash). Every stored value is escaped.
 */
export function renderHtml(r: Report): string {
  const title = `digest report: ${runLabel(r)}`;
  const cov = r.coverage;
  const failed = r.checks.filter((c) => !c.ok);
  const summary = summaryLines(r)
    .map(([k, v]) => {
      const cls = (k === 'accounting' && !r.run.accounting.ok) || (k === 'checks' && failed.length) || (k === 'drift' && cov.rows.some((x) => x.drift)) ? ' class="bad"' : '';
      return `<dt>${esc(k)}</dt><dd${cls}>${esc(v)}</dd>`;
    })
    .join('');
  const checks = `<ul>${r.checks.map((c) => `<li><span class="${c.ok ? 'ok' : 'bad'}">${c.ok ? 'OK' : 'FAILED'}</span> ${esc(c.name)}: ${esc(c.detail)}</li>`).join('')}</ul>`;

  const coverageChart = hbars(
    'chart-coverage',
    `Field coverage among ${cov.total} loaded entries${cov.previousRunId != null ? ` (line: run ${cov.previousRunId})` : ''}`,
    cov.rows.map((x) => ({
      label: COVERAGE_LABELS[x.field].trim(),
      fraction: x.share ?? 0,
      text: `${pct(x.share)}${x.change != null ? ` (${points(x.change)})` : ''}`,
      marker: x.previousShare,
      cls: x.drift ? 'drift' : '',
    })),
  );
  const maxOf = (rows: Count[]) => Math.max(1, ...rows.map((x) => x.count));
  const langMax = maxOf(r.languages);
  const languageChart = hbars(
    'chart-languages',
    `Languages (${r.languages.length})`,
    r.languages.map((x) => ({ label: x.key, fraction: x.count / langMax, text: `${x.count} (${pct(cov.total ? x.count / cov.total : null)})` })),
    80,
  );
  const ctyMax = maxOf(r.countries.top);
  const countryChart = hbars(
    'chart-countries',
    `Countries: top ${r.countries.top.length} of ${r.countries.distinct} (${r.countries.none} entries without)`,
    r.countries.top.map((x) => ({ label: x.key, fraction: x.count / ctyMax, text: String(x.count) })),
    80,
  );
  const dateChart = monthHistogram(
    'chart-dates',
    `Entries per month (${r.dates.byMonth.reduce((a, x) => a + x.count, 0)} dated to a month or day; ${r.dates.yearOnly} to the year only, ${r.dates.undated} undated)`,
    r.dates.byMonth,
  );

  const run = r.run;
  const e = run.entries;
  const runTables =
    table(['files', 'read', 'loaded', 'unchanged', 'rejected'], [['', run.files.read, run.files.loaded, run.files.unchanged, run.files.rejected]], [1, 2, 3, 4]) +
    table(['entries', 'read', 'new', 'updated', 'unchanged', 'duplicate', 'rejected'], [['', e.read, e.new, e.updated, e.unchanged, e.duplicate, e.rejected]], [1, 2, 3, 4, 5, 6]) +
    `<p>Accounting: <span class="${run.accounting.ok ? 'ok' : 'bad'}">${run.accounting.ok ? 'OK' : 'BROKEN'}</span></p>` +
    table(['check', 'expected', 'found', ''], run.accounting.checks.map((c) => [c.name, c.expected, c.found, c.ok ? 'OK' : 'BROKEN']), [1, 2]) +
    (run.errors.length ? `<p class="bad">${run.errors.map(esc).join('<br>')}</p>` : '') +
    (run.rejectedFiles.length || run.rejectedEntries.length
      ? `<h3>Rejected</h3>${table(
          ['file', '#', 'line', 'title', 'code', 'reason'],
          [...run.rejectedFiles, ...run.rejectedEntries].map((x) => [x.file, x.n, x.line, x.title, x.code, x.message]),
          [1, 2],
        )}`
      : '');

  const coverageTable = table(
    ['field', 'count', 'share', 'before', 'change', ''],
    cov.rows.map((x) => [COVERAGE_LABELS[x.field].trim(), x.count, pct(x.share), x.previousShare == null ? '' : pct(x.previousShare), points(x.change), x.drift ? 'DRIFT' : '']),
    [1, 2, 3, 4],
  );

  const d = r.diagnostics;
  const diagBlocks = d.groups
    .map((g) => {
      const ex = g.examples
        .map(
          (x) =>
            `<li><span class="mono">${esc(x.file)}${x.line != null ? `:${x.line}` : ''}</span>${x.title ? ` “${esc(x.title)}”` : ''}<br><span class="note">${esc(x.excerpt ? `“${x.excerpt}”` : x.message)}</span></li>`,
        )
        .join('');
      return `<details><summary><b>${g.count}</b> <code>${esc(g.code)}</code> (${esc(g.severity)}) · <a class="issue-link" href="#entries" data-issue="${esc(g.code)}">show entries</a></summary><ul class="examples">${ex}</ul></details>`;
    })
    .join('');

  const dup = r.duplicates;
  const dupTable = dup.rows.length
    ? table(
        ['similarity', 'rule', 'entry', 'title', 'item', 'item title'],
        dup.rows.map((x) => [x.similarity == null ? '' : x.similarity.toFixed(3), x.rule, `${x.file}#${x.n}`, x.title, x.itemId, x.itemTitle]),
        [0, 4],
      )
    : '';
  const sourcesTable = table(['source', 'count', 'share'], r.sources.top.map((x) => [x.key, x.count, pct(cov.total ? x.count / cov.total : null)]), [1, 2]);
  const t = r.timing;
  const slowTable = table(
    ['file', 'status', 'entries', 'parse ms', 'load ms', 'total ms'],
    t.slowest.map((s) => [s.file, s.status, s.entries, s.parseMs, s.loadMs, s.totalMs]),
    [2, 3, 4, 5],
  );
  const head = ENTRY_COLUMNS.map(([key, label, numeric]) => `<th data-key="${key}"${numeric ? ' class="num"' : ''}><button type="button">${esc(label)}</button></th>`).join('');

  const body = `
<header><h1>${esc(title)} <span class="${run.statuses.every((s) => s === 'finished') ? 'ok' : 'bad'}">${esc(statusLabel(r))}</span></h1>
<p class="meta">${esc(`${when(run.startedAt)} to ${when(run.finishedAt)} · ${duration(run.durationMs)}${r.database ? ` · ${r.database}` : ''} · generated ${r.generatedAt}`)}</p></header>
<section id="summary"><h2>Summary</h2><dl class="summary">${summary}</dl><h3>Checks</h3>${checks}</section>
<section id="charts"><h2>Charts</h2><div class="charts">${coverageChart}${languageChart}${countryChart}</div>${dateChart}</section>
<section id="run"><h2>Run</h2>${runTables}</section>
<section id="coverage"><h2>Coverage</h2><p class="note">${esc(
    `${cov.total} entries loaded (files unchanged since an earlier run are not parsed again), compared with ${cov.previousRunId != null ? `run ${cov.previousRunId} (${cov.previousTotal} entries)` : 'no earlier run'}; drift is a fall of more than ${(cov.driftMargin * 100).toFixed(1)} points.`,
  )}</p>${coverageTable}</section>
<section id="diagnostics"><h2>Diagnostics</h2><p>${esc(`${diagnosticCounts(d)}.`)}</p>${diagBlocks}</section>
<section id="duplicates"><h2>Duplicates merged</h2><p>${esc(`${dup.total} merged${dup.byRule.length ? `: ${dup.byRule.map((x) => `${x.count} ${x.key}`).join(', ')}` : ''}. Lowest similarity first.`)}</p>${dupTable}</section>
<section id="sources"><h2>Sources</h2><p class="note">${esc(`Top ${r.sources.top.length} of ${r.sources.distinct}; ${r.sources.other} entries in the others, ${r.sources.none} without.`)}</p>${sourcesTable}</section>
<section id="timing"><h2>Timing</h2><p>${esc(`${duration(run.durationMs)}: parse ${duration(t.parseMs)}, load ${duration(t.loadMs)}, other ${duration(t.otherMs)}.`)}</p>${slowTable}</section>
<section id="entries"><h2>Entries</h2>
<div class="controls"><label>Filter <input id="entry-filter" type="search" placeholder="words in any column" autocomplete="off"></label>
<label>Diagnostic <select id="issue-filter"></select></label><label>Outcome <select id="outcome-filter"></select></label><span id="entries-shown" class="note"></span></div>
<noscript><p>The entries table needs JavaScript; the same rows are in the JSON report.</p></noscript>
<div class="scroll"><table id="entries-table"><thead><tr>${head}</tr></thead><tbody></tbody></table></div></section>`;

  const csp = `default-src 'none'; script-src ${sha256(SCRIPT)}; style-src ${sha256(STYLE)}; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head><body>${body}
<script type="application/json" id="report-data">${scriptJson(r)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
