import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../../../src/read/decode.ts';

const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

describe('UTF-8 with a few broken sequences', () => {
  it('keeps every valid character and replaces a lone surrogate (ED A0 80) with U+FFFD, warning with its line', () => {
    const bytes = Uint8Array.from([...utf8('Grüße aus Zürich 😀\n\nZweite Zeile '), 0xed, 0xa0, 0x80, ...utf8(' Ende\n')]);
    const r = decodeBytes('page.txt', bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc.encoding).toBe('utf-8');
    expect(r.doc.text).toBe('Grüße aus Zürich 😀\n\nZweite Zeile \ufffd\ufffd\ufffd Ende\n');
    expect(r.doc.diagnostics.map((d) => [d.code, d.line])).toEqual([['read/invalid-utf8-replaced', 3]]);
  });

  it('treats overlong forms and a cut character as invalid too', () => {
    // C0 AF is an overlong "/"; E2 82 is "€" cut short before the newline.
    const bytes = Uint8Array.from([...utf8('Überblick: Städte und Länder\n'), 0xc0, 0xaf, ...utf8(' x\n'), 0xe2, 0x82, ...utf8('\nEnde\n')]);
    const r = decodeBytes('page.txt', bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc.text.startsWith('Überblick: Städte und Länder\n')).toBe(true);
    expect(r.doc.diagnostics[0]!.code).toBe('read/invalid-utf8-replaced');
    expect(r.doc.diagnostics[0]!.message).toContain('invalid UTF-8 in 2 place(s) (the first on line 2)');
  });

  it('still reads a Windows-1252 file (no valid multi-byte UTF-8 at all) as Windows-1252', () => {
    const bytes = Uint8Array.from([...utf8('Viele Gr'), 0xfc, 0xdf, ...utf8('e aus Z'), 0xfc, ...utf8('rich und eine lange Zeile mit ganz normalem Text dazu.\n')]);
    const r = decodeBytes('page.txt', bytes);
    expect(r.ok && r.doc.text).toBe('Viele Grüße aus Zürich und eine lange Zeile mit ganz normalem Text dazu.\n');
    expect(r.ok && r.doc.diagnostics.map((d) => d.code)).toEqual(['read/decoded-legacy']);
  });

  it('reads mostly-Windows-1252 text with one accidental UTF-8 pair as Windows-1252', () => {
    // Three cp1252 umlauts and one "Ã©" pair that happens to be valid UTF-8 (C3 A9).
    const bytes = Uint8Array.from([...utf8('M'), 0xfc, ...utf8('nchen, K'), 0xf6, ...utf8('ln, D'), 0xfc, ...utf8('sseldorf, caf'), 0xc3, 0xa9, ...utf8(' - Staedte mit Angeboten fuer Drogenkonsumierende in Nordrhein-Westfalen.\n')]);
    const r = decodeBytes('page.txt', bytes);
    expect(r.ok && r.doc.encoding).toBe('windows-1252');
  });
});

describe('bytes that are not text', () => {
  it('rejects high-byte noise as read/invalid-utf8 although some byte pairs happen to be valid UTF-8', () => {
    const noise = Array.from({ length: 4096 }, (_, i) => 0x80 + ((i * 37) % 128));
    const r = decodeBytes('noise.txt', Uint8Array.from([...utf8('Germany. Title\n\n'), ...noise]));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.rejected.reason.code).toBe('read/invalid-utf8');
  });
});
