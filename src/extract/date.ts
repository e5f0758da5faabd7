import type { DateValue } from '../types.ts';
import { readCitations } from './citation.ts';
import { readDate } from './dates.ts';
import type { FieldRule } from './rule.ts';
import { classifyPart } from './source-note.ts';

/**
 * Date rules, in order. The publication date is the one the source note or the citation
 * states; dates inside the prose (events, anniversaries) are not publication dates and are
 * never taken.
 */
export const DATE_RULES: readonly FieldRule<DateValue>[] = [
  {
    id: 'date/note',
    find({ note }) {
      if (!note) return null;
      for (const part of note.parts) {
        if (classifyPart(part) !== 'date') continue;
        const d = readDate(part);
        if (d) return { value: { date: d.date, precision: d.precision, flag: d.flag }, line: note.line, text: part };
      }
      return null;
    },
  },
  {
    id: 'date/citation',
    find({ lines }) {
      for (const hit of readCitations(lines)) {
        if (!hit.dateText) continue;
        const d = readDate(hit.dateText);
        if (d) return { value: { date: d.date, precision: d.precision, flag: d.flag }, line: hit.line.line, text: hit.dateText };
      }
      return null;
    },
  },
];
