/**
 * `digest verify` finds each broken invariant: a database loaded from the sample pages passes,
 * and each corruption below is reported by its own check (and only that one), with the exit
 * code 1 and one line per problem from the CLI.
 *
 * Reproduce: npx vitest run tests/faults/verify.test.ts
 */
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { TransactionRollbackError } from 'drizzle-orm/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db, type DbHandle } from '../../src/db/client.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { verifyDatabase } from '../../src/verify/verify.ts';
import { NOW, ROOT } from '../helpers/paths.ts';
import { tempRoot } from './lib/harness.ts';
import { digestProc } from './lib/proc.ts';

const RAW = ['sample-digest-2023.txt', 'sample-prison-section.txt'].map((f) => join(ROOT, 'raw', f));

/** Corruptions, each breaking one invariant (foreign keys and unique indexes bypassed where they would stop it). */
const CORRUPTIONS: Array<{ check: string; what: string; sql: string[]; alsoBy?: string[] }> = [
  { check: 'run-accounting', what: 'a run whose outcomes do not add up to entries_read', sql: ['update runs set entries_new = entries_new + 1 where id = (select min(id) from runs)'] },
  { check: 'run-accounting', what: 'a rejected entry without its reason', sql: ["delete from diagnostics where severity = 'error' and n is not null", 'update runs set entries_rejected = 1, entries_read = entries_read + 1 where id = (select min(id) from runs)'] },
  { check: 'occurrence-refs', what: 'an occurrence whose entry is gone', sql: ['set local session_replication_role = replica', "delete from entry_versions where entry_id = (select min(entry_id) from occurrences)", "delete from entry_keys where entry_id = (select min(entry_id) from occurrences)", 'delete from entries where id = (select min(entry_id) from occurrences)'], alsoBy: ['entry-buckets'] },
  { check: 'occurrences-unique', what: 'two occurrences at the same position of a document', sql: ['alter table occurrences drop constraint occurrences_document_n_key', 'insert into occurrences (run_id, document_id, entry_id, n, title_line, end_line, title, content_hash, outcome, key, "values") select run_id, document_id, entry_id, n, title_line, end_line, title, content_hash, outcome, key, "values" from occurrences where id = (select min(id) from occurrences)'], alsoBy: ['document-entries'] },
  { check: 'entry-keys', what: "a live entry whose key has no entry_keys row", sql: ['delete from entry_keys where key = (select key from entries order by id limit 1)'] },
  { check: 'entry-buckets', what: "a live entry missing from the near-duplicate index", sql: ['delete from entry_buckets where entry_id = (select min(id) from entries)'] },
  { check: 'entry-buckets', what: 'a bucket row for an entry that has no such bucket', sql: ['insert into entry_buckets (bucket, entry_id) select -1, min(id) from entries'] },
  { check: 'entry-buckets', what: 'a merged entry left in the near-duplicate index', sql: ['set local session_replication_role = replica', 'update entries set merged_into_id = (select min(id) from entries) where id = (select max(id) from entries)'] },
  { check: 'stale-runs', what: 'a run left running before a finished one', sql: ["insert into runs (id, status, pipeline) values (0, 'running', 'digest-pages')"] },
  { check: 'latest-documents', what: 'a path with two latest versions', sql: ["insert into documents (path, sha256, status, latest, first_run_id, last_run_id) select path, 'other', 'loaded', true, first_run_id, last_run_id from documents where latest limit 1"] },
  { check: 'document-entries', what: 'an entry read but neither loaded nor rejected', sql: ['delete from occurrences where id = (select max(id) from occurrences)'] },
];

describe('digest verify', () => {
  let h: DbHandle;
  beforeAll(async () => {
    h = await createDb({ dir: 'memory://' });
    await runIngest(h, RAW, createContext({ now: NOW }));
  }, 120_000);
  afterAll(async () => {
    await h.close();
  });

  it('passes every check on a database the pipeline loaded', async () => {
    const r = await verifyDatabase(h.db);
    expect(r.problems).toEqual([]);
    expect(r.checks.length).toBeGreaterThanOrEqual(8);
  });

  for (const c of CORRUPTIONS) {
    it(`reports ${c.what} under ${c.check}`, async () => {
      // Each corruption runs in a transaction that is rolled back, so the cases stay apart.
      let found: Awaited<ReturnType<typeof verifyDatabase>> | null = null;
      await h.db
        .transaction(async (tx) => {
          for (const q of c.sql) await tx.execute(sql.raw(q));
          found = await verifyDatabase(tx as unknown as Db);
          tx.rollback();
        })
        .catch((e: unknown) => {
          if (!(e instanceof TransactionRollbackError)) throw e;
        });
      const r = found!;
      expect(r.ok).toBe(false);
      expect([...new Set(r.problems.map((p) => p.check))]).toEqual([c.check, ...(c.alsoBy ?? [])]);
      expect(r.problems[0]!.message.length).toBeGreaterThan(10);
      expect((await verifyDatabase(h.db)).ok).toBe(true);
    });
  }
});

describe('digest verify (the CLI)', () => {
  it('exits 0 with "verify: N checks passed", and 1 with one line per problem', async () => {
    const root = tempRoot('verify');
    const dir = join(root, 'db');
    const h = await createDb({ dir });
    await runIngest(h, RAW, createContext({ now: NOW }));
    await h.close();
    const ok = await digestProc(['verify', '--db', dir], { cwd: root });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^verify: 8 checks passed/);
    const h2 = await createDb({ dir });
    await h2.db.execute(sql`insert into runs (id, status, pipeline) values (0, 'running', 'digest-pages')`);
    await h2.db.execute(sql`update runs set entries_new = entries_new + 5 where id > 0`);
    await h2.close();
    const bad = await digestProc(['verify', '--db', dir], { cwd: root });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^verify: 2 of 8 checks failed/);
    expect(bad.stdout).toMatch(/\n {2}run-accounting: run \d+ \(finished\): entries_read 13 <> /);
    expect(bad.stdout).toMatch(/\n {2}stale-runs: run 0 .* is still "running"/);
    const json = await digestProc(['verify', '--db', dir, '--json'], { cwd: root });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.objectContaining({ check: 'stale-runs' })]) });
  }, 120_000);
});
