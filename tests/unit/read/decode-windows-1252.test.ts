import { describe, expect, it } from 'vitest';
import { decodeBytes, decodeWindows1252 } from '../../../src/read/decode.ts';

describe('Windows-1252 decoding', () => {
  it('maps bytes 0x80-0x9F to their Windows-1252 characters, not to C1 controls', () => {
    // – “ ” ’ € …  (Node 20's TextDecoder('windows-1252') returns U+0096 etc. here)
    expect(decodeWindows1252(Uint8Array.from([0x96, 0x93, 0x94, 0x92, 0x80, 0x85]))).toBe('\u2013\u201c\u201d\u2019\u20ac\u2026');
  });

  it('keeps Latin-1 letters and leaves unassigned bytes as they are', () => {
    expect(decodeWindows1252(Uint8Array.from([0xe4, 0xf6, 0xfc, 0xdf, 0x81]))).toBe('äöüß\u0081');
  });

  it('reads a Windows-1252 page with an en dash in a title as the dash, with a read/decoded-legacy note', () => {
    const bytes = Uint8Array.from([...Buffer.from('Prison Health Programme '), 0x96, ...Buffer.from(' Annual Review\n\nF'), 0xfc, ...Buffer.from('r Angeh'), 0xf6, ...Buffer.from('rige\n')]);
    const r = decodeBytes('haft.txt', bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc.encoding).toBe('windows-1252');
    expect(r.doc.text).toBe('Prison Health Programme \u2013 Annual Review\n\nFür Angehörige\n');
    expect(r.doc.diagnostics.map((d) => d.code)).toEqual(['read/decoded-legacy']);
  });
});
