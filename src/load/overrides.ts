import { and, eq, inArray, sql } from 'drizzle-orm';
import { fingerprint } from '../dedupe/similarity.ts';
import { type Db, rowsOf } from '../db/client.ts';
import { dedupeOverrides, documents, entries, entryKeys, occurrences } from '../db/schema.ts';
import type { entryValues } from './load.ts';

/** Natural keys a person split off with `digest split`: they are matched exactly only. */
export async function splitKeys(db: Db): Promise<Set<string>> {
  const rows = await db.select({ key: dedupeOverrides.key }).from(dedupeOverrides).where(eq(dedupeOverrides.kind, 'split'));
  return new Set(rows.map((r) => r.key));
}

/** A merge decision as `digest duplicates` shows it. */
export interface MergeRow {
  occurrenceId: number;
  runId: number;
  file: string;
  n: number;
  rule: string;
  similarity: number | null;
  itemId: number;
  entryTitle: string;
  entryBody: string;
  itemTitle: string;
  itemBody: string;
  itemFile: string | null;
  itemN: number | null;
}

/**
 * Every entry that was merged into an item it did not create (outcome `duplicate`, or matched
 * by a fuzzy rule), with both texts, the rule and the similarity. Optionally for one run.
 */
export async function listMerges(db: Db, runId?: number): Promise<MergeRow[]> {
  const rows = await db.execute(sql`
    select o.id as "occurrenceId", o.run_id as "runId", d.path as file, o.n, coalesce(o.match_rule, 'exact-key') as rule,
           o.similarity, e.id as "itemId", o.title as "entryTitle", coalesce(o.values->>'body', '') as "entryBody",
           e.title as "itemTitle", e.body as "itemBody", fd.path as "itemFile", fo.n as "itemN"
    from occurrences o
    join documents d on d.id = o.document_id
    join entries e on e.id = o.entry_id
    left join lateral (select * from occurrences f where f.entry_id = e.id order by f.id limit 1) fo on true
    left join documents fd on fd.id = fo.document_id
    where (o.outcome = 'duplicate' or o.match_rule in ('near-duplicate', 'repeated-title'))
      and o.id <> fo.id
      ${runId != null ? sql`and o.run_id = ${runId}` : sql``}
    order by o.run_id, d.path, o.n`);
  return rowsOf<MergeRow>(rows).map((r) => ({ ...r, similarity: r.similarity == null ? null : Number(r.similarity) }));
}

/** Thrown for a correction that cannot be made (unknown ids, an entry not in the item…). */
export class CorrectionError extends Error {
  override name = 'CorrectionError';
}

/**
 * `digest merge A B`: item B becomes part of item A. B's occurrences and keys move to A,
 * B is kept with `merged_into_id = A` (so nothing is lost), and the decision is recorded.
 * Re-runs keep it, because every key of B now resolves to A.
 */
export async function mergeItems(db: Db, intoId: number, fromId: number, note: string | null = null): Promise<{ occurrences: number; keys: number }> {
  if (intoId === fromId) throw new CorrectionError(`cannot merge item ${intoId} into itself.`);
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const found = await tx.select({ id: entries.id, key: entries.key, mergedIntoId: entries.mergedIntoId }).from(entries).where(inArray(entries.id, [intoId, fromId]));
    const into = found.find((r) => r.id === intoId);
    const from = found.find((r) => r.id === fromId);
    if (!into) throw new CorrectionError(`there is no item ${intoId}.`);
    if (!from) throw new CorrectionError(`there is no item ${fromId}.`);
    if (into.mergedIntoId != null) throw new CorrectionError(`item ${intoId} was itself merged into item ${into.mergedIntoId}; merge into that one.`);
    if (from.mergedIntoId != null) throw new CorrectionError(`item ${fromId} is already merged into item ${from.mergedIntoId}.`);
    const occ = await tx.update(occurrences).set({ entryId: intoId, matchRule: 'merge', similarity: null }).where(eq(occurrences.entryId, fromId)).returning({ id: occurrences.id });
    const keys = await tx.update(entryKeys).set({ entryId: intoId, rule: 'merge' }).where(eq(entryKeys.entryId, fromId)).returning({ key: entryKeys.key });
    await tx.update(entries).set({ mergedIntoId: intoId, updatedAt: sql`now()` }).where(eq(entries.id, fromId));
    await tx.delete(dedupeOverrides).where(and(eq(dedupeOverrides.kind, 'split'), inArray(dedupeOverrides.key, keys.map((k) => k.key).concat(['']))));
    await tx.insert(dedupeOverrides).values({ kind: 'merge', key: from.key, entryId: intoId, note });
    return { occurrences: occ.length, keys: keys.length };
  });
}

/** Resolves `FILE#n` (in the latest version of FILE) or an occurrence id to an occurrence. */
export async function findOccurrence(db: Db, ref: string) {
  const m = /^(.*)#(\d+)$/.exec(ref);
  if (m) {
    const [row] = await db
      .select({ o: occurrences })
      .from(occurrences)
      .innerJoin(documents, eq(documents.id, occurrences.documentId))
      .where(and(eq(documents.path, m[1]!), eq(occurrences.n, Number(m[2])), eq(documents.latest, true)))
      .limit(1);
    return row?.o ?? null;
  }
  if (!/^\d+$/.test(ref)) throw new CorrectionError(`"${ref}" is neither FILE#n nor an occurrence id.`);
  const [row] = await db.select().from(occurrences).where(eq(occurrences.id, Number(ref))).limit(1);
  return row ?? null;
}

/**
 * `digest split ITEM ENTRY`: the entry (and every occurrence with the same content key) leaves
 * the item and becomes an item of its own, built from the values read at that occurrence.
 * The split is recorded: its key is never matched by a fuzzy rule again.
 */
export async function splitEntry(db: Db, itemId: number, entryRef: string, note: string | null = null): Promise<{ newItemId: number; occurrences: number }> {
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const occ = await findOccurrence(tx, entryRef);
    if (!occ) throw new CorrectionError(`no entry ${entryRef} was loaded.`);
    if (occ.entryId !== itemId) throw new CorrectionError(`entry ${entryRef} belongs to item ${occ.entryId}, not to item ${itemId}.`);
    const [item] = await tx.select({ key: entries.key }).from(entries).where(eq(entries.id, itemId));
    if (!item) throw new CorrectionError(`there is no item ${itemId}.`);
    if (item.key === occ.key) throw new CorrectionError(`entry ${entryRef} has item ${itemId}'s own key (same title, source and date), so it cannot be told apart from it; split the other entries off instead.`);
    const v = occ.values as ReturnType<typeof entryValues> & Record<string, unknown>;
    const fp = fingerprint({ title: v.title, body: v.body, date: v.date, language: v.language });
    const [created] = await tx
      .insert(entries)
      .values({
        key: occ.key,
        titleKey: fp.titleKey,
        bands: fp.bands,
        title: v.title,
        body: v.body,
        source: v.source,
        country: v.country,
        date: v.date,
        datePrecision: v.datePrecision,
        dateFlag: v.dateFlag,
        doi: v.doi,
        pmid: v.pmid,
        pmcid: v.pmcid,
        language: v.language,
        contentHash: occ.contentHash,
        provenance: v.provenance,
        issues: v.issues,
        firstRunId: occ.runId,
        lastRunId: occ.runId,
      })
      .returning({ id: entries.id });
    const newId = created!.id;
    await tx.insert(entryKeys).values({ key: occ.key, entryId: newId, rule: 'split' }).onConflictDoUpdate({ target: entryKeys.key, set: { entryId: newId, rule: 'split', similarity: null } });
    const moved = await tx
      .update(occurrences)
      .set({ entryId: newId, matchRule: 'split', similarity: null })
      .where(and(eq(occurrences.entryId, itemId), eq(occurrences.key, occ.key)))
      .returning({ id: occurrences.id });
    await tx.insert(dedupeOverrides).values({ kind: 'split', key: occ.key, entryId: newId, note });
    return { newItemId: newId, occurrences: moved.length };
  });
}
