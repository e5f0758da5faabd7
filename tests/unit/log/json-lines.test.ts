import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type JsonEvent, onJsonLines } from '../../../src/log/json-lines.ts';

function collect(chunks: Array<string | Buffer>): Promise<JsonEvent[]> {
  const s = new PassThrough();
  const got: JsonEvent[] = [];
  onJsonLines(s, (e) => got.push(e));
  return new Promise((resolve) => {
    s.on('end', () => resolve(got));
    for (const c of chunks) s.write(c);
    s.end();
  });
}

describe('onJsonLines', () => {
  it('joins a line that arrives in several chunks and keeps the order', async () => {
    const got = await collect(['{"event":"doc', 'ument","n":1}\n{"event":"run', '","n":2}\n']);
    expect(got).toEqual([{ event: 'document', n: 1 }, { event: 'run', n: 2 }]);
  });

  it('skips lines that are not JSON objects, and a line cut off by a killed process', async () => {
    const got = await collect(['digest 1.0 starting\n', '[1,2]\n', '{"event":"a"}\n', '{"event":"broken\n', '{"event":"b"}\n', '{"event":"no newline yet"}']);
    expect(got).toEqual([{ event: 'a' }, { event: 'b' }]);
  });

  it('decodes UTF-8 split inside a character across chunks', async () => {
    const bytes = Buffer.from('{"file":"Süd-Afrika.txt"}\n', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of "ü"
    const got = await collect([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(got).toEqual([{ file: 'Süd-Afrika.txt' }]);
  });
});
