import { describe, expect, it } from 'vitest';
import { estimateHtmlDepth, HTML_PARSE_DEPTH_LIMIT, htmlToBlocks, safeHref } from '../../../src/read/html.ts';
import type { Block } from '../../../src/types.ts';

/** Compact view of blocks: kind, gapBefore, lines as `line:text`, links. */
function view(blocks: Block[]): Array<[string, number, string[], string[]]> {
  return blocks.map((b) => [b.kind, b.gapBefore, b.lines.map((l) => `${l.line}:${l.text}`), b.links]);
}
const texts = (html: string): string[] => htmlToBlocks(html).blocks.flatMap((b) => b.lines.map((l) => l.text));

describe('htmlToBlocks', () => {
  it('gives adjacent paragraphs gapBefore 1 and adds one per empty paragraph, two per <hr>', () => {
    const html = '<p>Title</p>\n<p>Body</p>\n<p>&nbsp;</p>\n<p>Next</p>\n<p><br></p>\n<p></p>\n<p>Third</p>\n<hr>\n<p>Fourth</p>';
    expect(view(htmlToBlocks(html).blocks)).toEqual([
      ['paragraph', 2, ['1:Title'], []],
      ['paragraph', 1, ['2:Body'], []],
      ['paragraph', 2, ['4:Next'], []],
      ['paragraph', 3, ['7:Third'], []],
      ['paragraph', 3, ['9:Fourth'], []],
    ]);
  });

  it('makes <br> a line break inside the block and keeps each line\'s source line', () => {
    const html = '<p>first line<br>\nsecond line<br/>\n\n   third line</p>';
    expect(view(htmlToBlocks(html).blocks)).toEqual([['paragraph', 2, ['1:first line', '2:second line', '4:third line'], []]]);
  });

  it('splits a paragraph at a blank line made of two <br>', () => {
    expect(view(htmlToBlocks('<p>Title<br><br>Body<br>&nbsp;<br>More</p>').blocks)).toEqual([
      ['paragraph', 2, ['1:Title'], []],
      ['paragraph', 1, ['1:Body'], []],
      ['paragraph', 1, ['1:More'], []],
    ]);
  });

  it('gives headings kind heading and gapBefore >= 2, list items kind list-item', () => {
    const html = '<p>Intro</p><h3>Sub title</h3><p>Text</p><ul><li>one</li><li><p>two</p></li></ul><blockquote>quoted</blockquote>';
    expect(view(htmlToBlocks(html).blocks)).toEqual([
      ['paragraph', 2, ['1:Intro'], []],
      ['heading', 2, ['1:Sub title'], []],
      ['paragraph', 1, ['1:Text'], []],
      ['list-item', 1, ['1:one'], []],
      ['list-item', 1, ['1:two'], []],
      ['paragraph', 1, ['1:quoted'], []],
    ]);
  });

  it('decodes entities, collapses source white space and keeps U+00A0', () => {
    expect(texts('<p>  M&uuml;ller &amp;\n   S&ouml;hne&nbsp;&ndash; &#8222;Zitat&#8220;&nbsp;</p>')).toEqual(['Müller & Söhne\u00a0– „Zitat“\u00a0']);
  });

  it('makes text directly inside a div its own block', () => {
    expect(view(htmlToBlocks('<div>Loose title<p>A paragraph</p>tail text</div>').blocks)).toEqual([
      ['paragraph', 2, ['1:Loose title'], []],
      ['paragraph', 1, ['1:A paragraph'], []],
      ['paragraph', 1, ['1:tail text'], []],
    ]);
  });

  it('keeps http(s), mailto and relative hrefs of links with text, never javascript: or data:', () => {
    const html = '<p><a href="https://a.example/x?y=1&amp;z=2">one</a> <a href="/rel">two</a> <a href="mailto:x@a.example">three</a> ' +
      '<a href="javascript:alert(1)">four</a> <a href="java\nscript:alert(1)">five</a> <a href="data:text/html,x">six</a> <a href="https://img.example"><img src="i.png"></a></p>';
    const [b] = htmlToBlocks(html).blocks;
    expect(b!.links).toEqual(['https://a.example/x?y=1&z=2', '/rel', 'mailto:x@a.example']);
    expect(b!.lines[0]!.text).toBe('one two three four five six');
  });

  it('never carries script or style text, event handlers or other attributes into a block', () => {
    const html = '<body><p onclick="steal()" style="color:red" data-x="secret">Visible</p><script>var leaked = 1;</script>' +
      '<style>p { color: red }</style><noscript>enable js</noscript><template><p>tpl</p></template><p>After<script>alert("x")</script></p></body>';
    const out = JSON.stringify(htmlToBlocks(html).blocks);
    expect(texts(html)).toEqual(['Visible', 'After']);
    for (const bad of ['steal', 'onclick', 'color', 'secret', 'leaked', 'alert', 'enable js', 'tpl']) expect(out).not.toContain(bad);
  });

  it('drops navigation, header, footer, aside, forms, buttons, hidden elements and widgets, and lists them', () => {
    const html = `<body>
<header><h1>Site name</h1></header>
<nav><ul><li><a href="/">Home</a></li></ul></nav>
<div class="fontsize"><a href="#">A-</a> <a href="#">A</a> <a href="#">A+</a></div>
<div id="cookie-consent"><p>We use cookies.</p><button>OK</button></div>
<div class="social-share"><a href="https://share.example">Share</a></div>
<p>Entry title</p>
<p hidden>secret draft</p>
<p aria-hidden="true">icon</p>
<form><input value="q"><p>Search here</p></form>
<aside><p>Sidebar</p></aside>
<footer><p>Impressum</p></footer>
</body>`;
    const r = htmlToBlocks(html);
    expect(texts(html)).toEqual(['Entry title']);
    expect(r.dropped).toEqual([
      'header (line 2)',
      'nav (line 3)',
      'font-size widget "A- A A+" (line 4)',
      'div#cookie-consent (line 5)',
      'div.social-share (line 6)',
      'p (line 8)',
      'p (line 9)',
      'form (line 10)',
      'aside (line 11)',
      'footer (line 12)',
    ]);
  });

  it('drops a bare "A- A A+" paragraph as the font-size widget', () => {
    const r = htmlToBlocks('<p>A- A A+</p><p>Title</p>');
    expect(view(r.blocks)).toEqual([['paragraph', 2, ['1:Title'], []]]);
    expect(r.dropped).toEqual(['font-size widget "A- A A+" (line 1)']);
  });

  it('reads only the <article> when the page has one, keeping a header inside it', () => {
    const html = '<body><div class="menu"><p>Menu text that is not content</p></div><article><header><h1>Article title</h1></header><p>Body text of the article, long enough.</p></article><div><p>Related</p></div></body>';
    expect(texts(html)).toEqual(['Article title', 'Body text of the article, long enough.']);
  });

  it('uses <main>, [role=main] or #content when there is no article', () => {
    expect(texts('<body><div><p>Teaser</p></div><main><p>Main text that holds the content</p></main></body>')).toEqual(['Main text that holds the content']);
    expect(texts('<body><div><p>Teaser</p></div><div role="main"><p>Role main text holding content</p></div></body>')).toEqual(['Role main text holding content']);
    expect(texts('<body><div><p>Teaser</p></div><div id="content"><p>Content div text holding it all</p></div></body>')).toEqual(['Content div text holding it all']);
  });

  it('ignores a semantic container that holds little of the text and reads the body instead', () => {
    const html = '<body><main><p>Tiny</p></main><div><p>The real text of the page is here and it is long.</p><p>And more of it.</p></div></body>';
    expect(texts(html)).toEqual(['Tiny', 'The real text of the page is here and it is long.', 'And more of it.']);
  });

  it('falls back to the element that holds most of the paragraph text', () => {
    const html = '<body><div id="top"><p>Teaser line</p></div><div id="wrap"><div class="text"><p>' + 'Long paragraph text. '.repeat(20) + '</p><p>Second paragraph of the content.</p></div></div></body>';
    const t = texts(html);
    expect(t).toHaveLength(2);
    expect(t[1]).toBe('Second paragraph of the content.');
  });

  it('starts an entry at each of several <article> elements', () => {
    const html = '<main><article><p>First title</p><p>First body</p></article><article><p>Second title</p></article></main>';
    expect(view(htmlToBlocks(html).blocks).map(([, gap, lines]) => [gap, lines[0]])).toEqual([
      [2, '1:First title'],
      [1, '1:First body'],
      [2, '1:Second title'],
    ]);
  });

  it('keeps a page-wrapping <form> (ASP.NET style) instead of dropping the whole page', () => {
    expect(texts('<body><form id="aspnetForm"><div><p>Entry one</p><p>Entry two</p></div></form></body>')).toEqual(['Entry one', 'Entry two']);
  });

  it('keeps the lines of <pre> as they are', () => {
    expect(view(htmlToBlocks('<pre>line a\n  line b\n\nline c</pre>').blocks)).toEqual([
      ['paragraph', 2, ['1:line a', '2:line b'], []],
      ['paragraph', 1, ['4:line c'], []],
    ]);
  });

  it('reads 10,000 nested divs without overflowing the stack and reports read/html-deep-nesting', () => {
    const html = '<html><body>' + '<div>'.repeat(10_000) + 'deep text' + '</div>'.repeat(10_000) + '<p>after</p></body></html>';
    const r = htmlToBlocks(html, { file: 'deep.html' });
    expect(texts(html)).toEqual(['deep text', 'after']);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.file])).toEqual([['read/html-deep-nesting', 'warning', 'deep.html']]);
    expect(r.diagnostics[0]!.data).toEqual({ depth: 10_002 });
  });

  it('refuses to parse a page nested deeper than the parse limit, with read/html-too-deep as an error', () => {
    const html = '<div>'.repeat(HTML_PARSE_DEPTH_LIMIT + 1) + 'x' + '</div>'.repeat(HTML_PARSE_DEPTH_LIMIT + 1);
    const r = htmlToBlocks(html, { file: 'bomb.html' });
    expect(r.blocks).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.data])).toEqual([['read/html-too-deep', 'error', { depth: HTML_PARSE_DEPTH_LIMIT + 1 }]]);
  });

  it('does not count void or often-unclosed tags as nesting', () => {
    expect(estimateHtmlDepth('<div><p>a<p>b<br><img src=x><li>c</div><div><span>d</span></div>')).toBe(2);
  });

  it('reads 10,000 unclosed nested inline and block tags', () => {
    expect(texts('<b><i>'.repeat(5_000) + 'x')).toEqual(['x']);
    expect(texts('<li><blockquote>'.repeat(5_000) + 'y')).toEqual(['y']);
  });

  it('gives no blocks for a page without text', () => {
    expect(htmlToBlocks('<html><head><title>T</title></head><body><script>x()</script></body></html>')).toEqual({ blocks: [], dropped: ['script (line 1)'], diagnostics: [] });
  });
});

describe('safeHref', () => {
  it('accepts http(s), mailto and relative links and rejects every other scheme', () => {
    expect(['http://a', 'HTTPS://a', 'mailto:a@b', '/x', 'x.html', '//cdn.example/x'].map(safeHref)).toEqual(['http://a', 'HTTPS://a', 'mailto:a@b', '/x', 'x.html', '//cdn.example/x']);
    expect(['javascript:x', ' JaVaScRiPt:x', 'java\tscript:x', 'vbscript:x', 'data:x', 'file:///etc', '#top', '', null].map(safeHref)).toEqual(Array(9).fill(null));
  });
});
