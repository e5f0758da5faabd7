import type { Block, Line } from '../types.ts';

/**
 * Plain text to blocks: a block is a run of non-blank lines; `gapBefore` counts the blank
 * lines before it (a line of only white space, U+00A0 included, is blank).
 */
export function textToBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let current: Line[] = [];
  let blanks = 2; // the start of a document separates like a double gap
  let gapForCurrent = 2;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') {
      if (current.length) {
        blocks.push({ kind: 'paragraph', lines: current, gapBefore: gapForCurrent, links: [] });
        current = [];
        blanks = 0;
      }
      blanks++;
      continue;
    }
    if (!current.length) gapForCurrent = blanks;
    current.push({ text: raw, line: i + 1 });
  }
  if (current.length) blocks.push({ kind: 'paragraph', lines: current, gapBefore: gapForCurrent, links: [] });
  return blocks;
}
