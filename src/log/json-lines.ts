import type { Readable } from 'node:stream';

/** One event of `digest`'s JSON-lines output (`--log json`, the worker's events). */
export type JsonEvent = Record<string, unknown>;

/**
 * Calls `onEvent` with each JSON object line `stream` carries, in order, as the lines complete
 * (a line may arrive in several chunks). Lines that are not JSON objects (a banner, a pretty
 * log line, a line cut off by a killed process) are skipped. Sets the stream's encoding to UTF-8.
 */
export function onJsonLines(stream: Readable, onEvent: (e: JsonEvent) => void): void {
  let partial = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      let e: JsonEvent;
      try {
        e = JSON.parse(line) as JsonEvent;
      } catch {
        continue;
      }
      onEvent(e);
    }
  });
}
