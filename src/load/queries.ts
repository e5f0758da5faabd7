import { asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { documents, entries, occurrences } from '../db/schema.ts';
import type { DateFlag, DatePrecision, EntryRecord } from '../types.ts';

/** An exported item: the parse record's keys plus the item `id`. */
export type ExportRecord = EntryRecord & { id: number };

/**
 * Every loaded item (not merged into another by `digest merge`), in id order, with the file and position of its first occurrence.
 * `duplicateOf` is null (an item is never a duplicate of another item); `issues` are the
 * diagnostic codes of its latest version.
 */
export async function exportEntries(db: Db): Promise<ExportRecord[]> {
  const first = db
    .select({ entryId: occurrences.entryId, occId: sql<number>`min(${occurrences.id})`.as('occ_id') })
    .from(occurrences)
    .groupBy(occurrences.entryId)
    .as('first');
  const rows = await db
    .select({ e: entries, path: documents.path, n: occurrences.n })
    .from(entries)
    .leftJoin(first, eq(first.entryId, entries.id))
    .leftJoin(occurrences, eq(occurrences.id, first.occId))
    .leftJoin(documents, eq(documents.id, occurrences.documentId))
    .where(isNull(entries.mergedIntoId))
    .orderBy(asc(entries.id));
  return rows.map(({ e, path, n }) => ({
    id: e.id,
    file: path ?? '',
    n: n ?? 0,
    title: e.title,
    body: e.body,
    source: e.source,
    country: e.country,
    date: e.date,
    datePrecision: e.datePrecision as DatePrecision | null,
    dateFlag: e.dateFlag as DateFlag | null,
    doi: e.doi,
    pmid: e.pmid,
    pmcid: e.pmcid,
    language: e.language,
    duplicateOf: null,
    issues: e.issues,
  }));
}
