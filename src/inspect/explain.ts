import { resolve } from 'node:path';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../db/client.ts';
import { dedupeOverrides, diagnostics, documents, entries, entryKeys, occurrences } from '../db/schema.ts';
import type { Provenance } from '../types.ts';

/** The fields `digest explain` shows, in order. */
export const EXPLAIN_FIELDS = ['title', 'body', 'source', 'country', 'date', 'doi', 'pmid', 'pmcid', 'language'] as const;

/** One field: its value, and where and by which rule it was read. */
export interface FieldExplanation {
  field: (typeof EXPLAIN_FIELDS)[number];
  value: string | null;
  /** For `date`: precision and flag, e.g. "day", "year, invalid". */
  detail: string | null;
  /** file:line and the characters the value was read from; null when no rule found a value. */
  span: { file: string; line: number; lastLine?: number; text: string } | null;
  rule: string | null;
}

/** A diagnostic of the entry, as stored. */
export interface ExplainDiagnostic {
  runId: number;
  file: string;
  line: number | null;
  code: string;
  severity: string;
  message: string;
  excerpt: string | null;
  data: Record<string, unknown> | null;
}

/** How an entry came to its item. */
export interface MatchExplanation {
  /** `new` (it created the item), `duplicate`, `unchanged`, `updated`. */
  outcome: string;
  /** The rule that assigned it (exact-key, near-duplicate, repeated-title, merge, split), or null when it created the item. */
  rule: string | null;
  similarity: number | null;
  /** `FILE#n` of the first occurrence of the item in the same run, when it was merged within the run. */
  duplicateOf: string | null;
  /** The entry_keys row of the entry's own natural key: how that key came to the item. */
  key: { key: string; rule: string; similarity: number | null; runId: number | null } | null;
}

/** Everything `digest explain` prints. */
export interface Explanation {
  kind: 'entry' | 'item' | 'rejected';
  /** `FILE#n` of the entry shown (for an item: the occurrence its values came from). */
  ref: string | null;
  itemId: number | null;
  item: { id: number; title: string; file: string | null; n: number | null; mergedIntoId: number | null; mergeNote: string | null } | null;
  runId: number | null;
  document: { id: number; path: string; sha256: string; latest: boolean } | null;
  lines: { from: number; to: number } | null;
  fields: FieldExplanation[];
  match: MatchExplanation | null;
  /** Other entries merged into the item (for an item id). */
  members: Array<{ ref: string; runId: number; outcome: string; rule: string | null; similarity: number | null }>;
  diagnostics: ExplainDiagnostic[];
  /** For a rejected entry: the stored raw text and its replay state. */
  raw: string | null;
  replay: Record<string, unknown> | null;
}

/** Thrown when the reference names nothing in the database. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

type OccurrenceRow = typeof occurrences.$inferSelect;
type Values = {
  title?: string;
  body?: string;
  source?: string | null;
  country?: string | null;
  date?: string | null;
  datePrecision?: string | null;
  dateFlag?: string | null;
  doi?: string | null;
  pmid?: string | null;
  pmcid?: string | null;
  language?: string;
  provenance?: Record<string, Provenance | null>;
};

function fieldsOf(v: Values, file: string | null, lines: { from: number; to: number } | null): FieldExplanation[] {
  const prov = v.provenance ?? {};
  return EXPLAIN_FIELDS.map((field) => {
    if (field === 'body') {
      const body = v.body ?? '';
      // The body is the entry's lines after its title (the segmenter's cut); its exact first line is not stored.
      const span = body && lines && file ? { file, line: lines.from, lastLine: lines.to, text: body.length > 80 ? `${body.slice(0, 79)}…` : body } : null;
      return { field, value: body || null, detail: body ? `${body.length} characters` : null, span, rule: body ? 'segment' : null };
    }
    const value = (v[field] ?? null) as string | null;
    const p = prov[field] ?? null;
    const detail = field === 'date' && value ? [v.datePrecision, v.dateFlag].filter(Boolean).join(', ') || null : field === 'date' && v.dateFlag ? v.dateFlag : null;
    return { field, value, detail, span: p && file ? { file, line: p.line, text: p.text } : null, rule: p?.rule ?? null };
  });
}

/** Finds the stored path for a path as the user typed it (exact, else the same file resolved). */
async function findPath(db: Db, given: string, cwd: string): Promise<string | null> {
  const [exact] = await db.select({ path: documents.path }).from(documents).where(eq(documents.path, given)).limit(1);
  if (exact) return exact.path;
  const base = given.split(/[\\/]/).pop() ?? given;
  const rows = rowsOf<{ path: string }>(await db.execute(sql`select distinct path from documents where path like ${`%${base.replace(/[%_\\]/g, (c) => `\\${c}`)}`}`));
  const want = resolve(cwd, given);
  return rows.find((r) => resolve(cwd, r.path) === want)?.path ?? (rows.length === 1 ? rows[0]!.path : null);
}

async function entryDiagnostics(db: Db, documentId: number, n: number): Promise<ExplainDiagnostic[]> {
  const rows = await db
    .select({ runId: diagnostics.runId, file: diagnostics.file, line: diagnostics.line, code: diagnostics.code, severity: diagnostics.severity, message: diagnostics.message, excerpt: diagnostics.excerpt, data: diagnostics.data })
    .from(diagnostics)
    .where(and(eq(diagnostics.documentId, documentId), eq(diagnostics.n, n)))
    .orderBy(asc(diagnostics.id));
  return rows;
}

async function keyRow(db: Db, key: string) {
  const [k] = await db.select({ key: entryKeys.key, rule: entryKeys.rule, similarity: entryKeys.similarity, runId: entryKeys.runId }).from(entryKeys).where(eq(entryKeys.key, key));
  return k ?? null;
}

async function itemSummary(db: Db, id: number) {
  const [e] = await db.select({ id: entries.id, title: entries.title, mergedIntoId: entries.mergedIntoId }).from(entries).where(eq(entries.id, id));
  if (!e) return null;
  const [first] = await db
    .select({ file: documents.path, n: occurrences.n })
    .from(occurrences)
    .innerJoin(documents, eq(documents.id, occurrences.documentId))
    .where(eq(occurrences.entryId, id))
    .orderBy(asc(occurrences.id))
    .limit(1);
  let mergeNote: string | null = null;
  if (e.mergedIntoId != null) {
    const [o] = await db.select({ note: dedupeOverrides.note }).from(dedupeOverrides).where(and(eq(dedupeOverrides.kind, 'merge'), eq(dedupeOverrides.entryId, e.mergedIntoId))).orderBy(desc(dedupeOverrides.id)).limit(1);
    mergeNote = o?.note ?? null;
  }
  return { id: e.id, title: e.title, file: first?.file ?? null, n: first?.n ?? null, mergedIntoId: e.mergedIntoId, mergeNote };
}

async function explainOccurrence(db: Db, occ: OccurrenceRow, doc: { id: number; path: string; sha256: string; latest: boolean }): Promise<Explanation> {
  const lines = { from: occ.titleLine, to: occ.endLine };
  const item = await itemSummary(db, occ.entryId);
  const k = await keyRow(db, occ.key);
  return {
    kind: 'entry',
    ref: `${doc.path}#${occ.n}`,
    itemId: occ.entryId,
    item,
    runId: occ.runId,
    document: doc,
    lines,
    fields: fieldsOf(occ.values as Values, doc.path, lines),
    match: { outcome: occ.outcome, rule: occ.matchRule, similarity: occ.similarity, duplicateOf: occ.duplicateOf, key: k },
    members: [],
    diagnostics: await entryDiagnostics(db, doc.id, occ.n),
    raw: null,
    replay: null,
  };
}

/**
 * Explains `FILE#n` (the n-th entry of the latest version of FILE that has it) or an item id:
 * every field with its value, the line and characters it was read from and the rule that read
 * it; the entry's diagnostics; and how it came to its item (rule, similarity, the key's history).
 * A rejected entry shows its reason, its quarantined text and whether `digest replay` recovered it.
 */
export async function explain(db: Db, ref: string, cwd: string): Promise<Explanation> {
  const m = /^(.+)#(\d+)$/.exec(ref);
  if (m) {
    const given = m[1]!;
    const n = Number(m[2]);
    const path = await findPath(db, given, cwd);
    if (!path) throw new NotFoundError(`no file ${given} was ingested into this database; "digest runs show ID" lists the files of a run.`);
    const versions = await db
      .select({ id: documents.id, path: documents.path, sha256: documents.sha256, latest: documents.latest, status: documents.status, entryCount: documents.entryCount })
      .from(documents)
      .where(eq(documents.path, path))
      .orderBy(desc(documents.latest), desc(documents.id));
    for (const doc of versions) {
      const [occ] = await db.select().from(occurrences).where(and(eq(occurrences.documentId, doc.id), eq(occurrences.n, n))).limit(1);
      if (occ) return explainOccurrence(db, occ, doc);
      const diags = await entryDiagnostics(db, doc.id, n);
      const rejectedRow = rowsOf<{ raw: string | null; replay: Record<string, unknown> | null; line: number | null }>(
        await db.execute(sql`select raw, data->'replay' as replay, line from diagnostics where document_id = ${doc.id} and n = ${n} and severity = 'error' order by id limit 1`),
      )[0];
      if (rejectedRow) {
        return {
          kind: 'rejected',
          ref: `${doc.path}#${n}`,
          itemId: null,
          item: null,
          runId: diags[0]?.runId ?? null,
          document: doc,
          lines: rejectedRow.line != null ? { from: rejectedRow.line, to: rejectedRow.line } : null,
          fields: [],
          match: null,
          members: [],
          diagnostics: diags,
          raw: rejectedRow.raw,
          replay: rejectedRow.replay,
        };
      }
    }
    const latest = versions[0];
    const count = latest?.entryCount ?? 0;
    throw new NotFoundError(
      latest?.status === 'rejected'
        ? `${path} was rejected as a whole (no entries were read); "digest runs show ${'ID'}" gives the reason.`
        : `${path} has no entry ${n} (it has ${count} entr${count === 1 ? 'y' : 'ies'}: ${path}#1 to ${path}#${count}).`,
    );
  }
  if (!/^\d+$/.test(ref)) throw new NotFoundError(`"${ref}" is neither an item id (a number) nor FILE#n (e.g. raw/page.txt#3).`);
  const id = Number(ref);
  const [e] = await db.select().from(entries).where(eq(entries.id, id));
  if (!e) throw new NotFoundError(`there is no item ${id}; "digest export" lists the item ids.`);
  const occs = await db
    .select({ o: occurrences, path: documents.path, sha256: documents.sha256, latest: documents.latest, docId: documents.id })
    .from(occurrences)
    .innerJoin(documents, eq(documents.id, occurrences.documentId))
    .where(eq(occurrences.entryId, id))
    .orderBy(asc(occurrences.id));
  // The occurrence that gave the item its current values: the last that created or updated it
  // with these values, else the first with them, else the first one.
  const same = occs.filter((r) => r.o.contentHash === e.contentHash);
  const source = [...same].reverse().find((r) => r.o.outcome === 'new' || r.o.outcome === 'updated') ?? same[0] ?? occs[0];
  const lines = source ? { from: source.o.titleLine, to: source.o.endLine } : null;
  const item = await itemSummary(db, id);
  return {
    kind: 'item',
    ref: source ? `${source.path}#${source.o.n}` : null,
    itemId: id,
    item,
    runId: source?.o.runId ?? e.lastRunId,
    document: source ? { id: source.docId, path: source.path, sha256: source.sha256, latest: source.latest } : null,
    lines,
    fields: fieldsOf({ ...e, provenance: e.provenance as Record<string, Provenance | null> }, source?.path ?? null, lines),
    match: source ? { outcome: source.o.outcome, rule: source.o.matchRule, similarity: source.o.similarity, duplicateOf: source.o.duplicateOf, key: await keyRow(db, source.o.key) } : null,
    members: occs.filter((r) => r !== source).map((r) => ({ ref: `${r.path}#${r.o.n}`, runId: r.o.runId, outcome: r.o.outcome, rule: r.o.matchRule, similarity: r.o.similarity })),
    diagnostics: source ? await entryDiagnostics(db, source.docId, source.o.n) : [],
    raw: null,
    replay: null,
  };
}
