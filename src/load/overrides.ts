import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { dedupeOverrides } from '../db/schema.ts';

/** Natural keys a person split off with `digest split`: they are matched exactly only. */
export async function splitKeys(db: Db): Promise<Set<string>> {
  const rows = await db.select({ key: dedupeOverrides.key }).from(dedupeOverrides).where(eq(dedupeOverrides.kind, 'split'));
  return new Set(rows.map((r) => r.key));
}
