import { asc } from 'drizzle-orm';
import type { DbHandle } from '../../src/db/client.ts';
import { diagnostics, documents, entries, entryKeys, occurrences } from '../../src/db/schema.ts';

/** Every row a run writes, without timestamps (which differ between runs). */
export async function snapshot(h: DbHandle) {
  const docs = await h.db.select({ id: documents.id, path: documents.path, sha256: documents.sha256, status: documents.status, entryCount: documents.entryCount, latest: documents.latest }).from(documents).orderBy(asc(documents.id));
  const items = await h.db.select({ id: entries.id, key: entries.key, contentHash: entries.contentHash, language: entries.language, inLatest: entries.inLatest }).from(entries).orderBy(asc(entries.id));
  const occ = await h.db.select({ id: occurrences.id, documentId: occurrences.documentId, n: occurrences.n, entryId: occurrences.entryId, outcome: occurrences.outcome, rule: occurrences.matchRule, similarity: occurrences.similarity, duplicateOf: occurrences.duplicateOf }).from(occurrences).orderBy(asc(occurrences.id));
  const keys = await h.db.select({ key: entryKeys.key, entryId: entryKeys.entryId, rule: entryKeys.rule }).from(entryKeys).orderBy(asc(entryKeys.key));
  const diags = await h.db.select({ id: diagnostics.id, documentId: diagnostics.documentId, n: diagnostics.n, code: diagnostics.code, line: diagnostics.line }).from(diagnostics).orderBy(asc(diagnostics.id));
  return { docs, items, occ, keys, diags };
}
