import type { GoldEntry } from '../../../src/eval/types.ts';
import type { EntryRecord } from '../../../src/types.ts';

/** A predicted record with empty fields, overridden by `fields`. */
export function rec(fields: Partial<EntryRecord> & Pick<EntryRecord, 'n' | 'title'>): EntryRecord {
  return {
    file: 'in/page.txt',
    body: '',
    source: null,
    country: null,
    date: null,
    datePrecision: null,
    dateFlag: null,
    doi: null,
    pmid: null,
    pmcid: null,
    language: 'en',
    duplicateOf: null,
    issues: [],
    ...fields,
  };
}

/** A gold entry with empty fields, overridden by `fields`. */
export function gold(fields: Partial<GoldEntry> & Pick<GoldEntry, 'n' | 'title'>): GoldEntry {
  return {
    file: 'page.txt',
    country: null,
    source: null,
    date: null,
    date_flag: null,
    doi: null,
    pmid: null,
    pmcid: null,
    language: 'en',
    item: null,
    note: null,
    line: fields.n,
    ...fields,
  };
}
