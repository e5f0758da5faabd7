/**
 * Crash safety: `digest ingest` killed with SIGKILL at chosen points (mid-transaction, just
 * before COMMIT, between documents, in the final retire step, during start-up, after random
 * delays), then run again to completion, must leave exactly the database an uninterrupted run
 * leaves: the same items with the same values, keys, document versions, occurrences, earlier
 * versions and diagnostics, one finished run per completed attempt, and `digest verify` passing.
 *
 * Reproduce: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/digest_ci npx vitest run tests/faults/crash.test.ts
 * Corpus size: DIGEST_FAULTS_FILES (default 24 pages) x DIGEST_FAULTS_PER_FILE (default 45 entries).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { genEntry } from '../../bench/generate.ts';
import type { Problem } from '../../src/verify/checks.ts';
import { buildCorpus, type Corpus, usePages } from './lib/corpus.ts';
import { type Attempt, type AttemptLog, crashPhase, ingestToEnd, inspect, loaderConnected, rng, runsRowAtLeast, tempRoot } from './lib/harness.ts';
import { childProc, digestProc } from './lib/proc.ts';
import { type DbState, diffStates } from './lib/state.ts';
import { type FreshDb, freshPglite, freshServerDb, pgliteTemplate, withDb } from './lib/targets.ts';
import { createContext } from '../../src/pipeline/context.ts';
import { runIngest } from '../../src/pipeline/run.ts';
import { NOW } from '../helpers/paths.ts';

const FILES = Number(process.env.DIGEST_FAULTS_FILES ?? 24);
const PER_FILE = Number(process.env.DIGEST_FAULTS_PER_FILE ?? 45);
const SEEDS = [11, 22, 33];
const SERVER = process.env.TEST_DATABASE_URL;

interface Target {
  name: string;
  kind: 'pglite' | 'postgres';
  /** A fresh database; PGlite: a copy of an empty migrated folder, or a folder that does not exist yet (`blank`). */
  fresh(root: string, tag: string, blank?: boolean): Promise<FreshDb>;
}
const templates = new Map<string, Promise<string>>();
const targets: Target[] = [
  {
    name: 'PGlite',
    kind: 'pglite',
    fresh: async (root, tag, blank) => {
      if (blank) return freshPglite(root, `db-${tag}`);
      if (!templates.has(root)) templates.set(root, pgliteTemplate(`${root}/template`));
      return freshPglite(root, `db-${tag}`, await templates.get(root)!);
    },
  },
  ...(SERVER ? [{ name: 'PostgreSQL server', kind: 'postgres' as const, fresh: (_root: string, tag: string) => freshServerDb(SERVER, tag) }] : []),
];

/**
 * The kill points of case `index` (0, 1, 2), their numbers drawn from `seed`. Every case kills
 * in both versions' phases; together they cover each kind of point on each database.
 */
function plan(index: number, seed: number, db: FreshDb): { v1: Attempt[]; v2: Attempt[] } {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const tx = (nth: number, at: number | 'commit'): Attempt => ({ via: 'child', kill: { kind: 'tx', nth, at }, what: `mid-transaction: load #${nth}, ${at === 'commit' ? 'just before COMMIT' : `at statement ${at}`}` });
  const doc = (nth: number): Attempt => ({ via: 'child', kill: { kind: 'doc', nth }, what: `between documents: after load #${nth} committed` });
  const retire = (at: number | 'commit'): Attempt => ({ via: 'child', kill: { kind: 'retire', at }, what: `in the retire+finish transaction, ${at === 'commit' ? 'before COMMIT' : `at statement ${at}`}` });
  const afterLoaded = (nth: number, delayMs: number): Attempt => ({ via: 'cli', kill: { kind: 'after-loaded', nth, delayMs }, what: `CLI: SIGKILL ${delayMs} ms after document #${nth} loaded` });
  const delay = (delayMs: number): Attempt => ({ via: 'cli', kill: { kind: 'delay', delayMs }, what: `CLI: SIGKILL ${delayMs} ms after the first document` });
  const startup = (): Attempt => {
    const delayMs = int(250);
    return db.kind === 'pglite'
      ? { via: 'cli', kill: { kind: 'init', dir: db.dir!, delayMs }, what: `CLI: SIGKILL ${delayMs} ms into creating the PGlite data folder` }
      : { via: 'cli', kill: { kind: 'poll', poll: loaderConnected(db), delayMs, label: 'connected' }, what: `CLI: SIGKILL ${delayMs} ms after it connected (migrating)` };
  };
  const runsRow = (): Attempt => {
    const n = 2 + int(4);
    return db.kind === 'postgres'
      ? { via: 'cli', kill: { kind: 'poll', poll: runsRowAtLeast(db, n), delayMs: 0, label: `files_read>=${n}` }, what: `CLI: SIGKILL when the runs row shows ${n} files done` }
      : afterLoaded(n, int(100));
  };
  if (index === 0) {
    return {
      v1: [tx(1 + int(3), 'commit'), doc(1 + int(4)), afterLoaded(1 + int(3), int(400))],
      v2: [retire(2)],
    };
  }
  if (index === 1) {
    return {
      v1: [startup(), delay(int(1500))],
      v2: [doc(1 + int(3)), afterLoaded(1, int(60))],
    };
  }
  return {
    v1: [runsRow(), tx(1 + int(3), 2 + int(8))],
    v2: [tx(1 + int(2), 'commit'), retire('commit')],
  };
}

/** Runs at most `n` of the given tasks at once (the cases spawn processes: two keep both cores busy). */
function limiter(n: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

describe('crash safety', () => {
  const root = tempRoot('crash');
  const slot = limiter(2);
  let corpus: Corpus;
  /** Per database kind: the reference database and its state, the kill log, stale-run problems. */
  const per = new Map<string, { target: Target; reference: FreshDb; want: DbState; logs: AttemptLog[]; stale: Problem[] }>();
  const dbs: FreshDb[] = [];

  beforeAll(async () => {
    corpus = buildCorpus(`${root}/corpus`, { seed: 7, files: FILES, perFile: PER_FILE });
    await Promise.all(targets.map(async (target) => {
      const reference = await target.fresh(root, `${target.kind}-reference`);
      dbs.push(reference);
      const work = `${root}/work-${target.kind}-reference`;
      usePages(work, corpus.v1);
      await ingestToEnd(reference, work, 1);
      usePages(work, corpus.v2);
      await ingestToEnd(reference, work, 1);
      const ref = await inspect(reference);
      expect(ref.problems).toEqual([]);
      expect(ref.runs.map((r) => r.status)).toEqual(['finished', 'finished']);
      per.set(target.kind, { target, reference, want: ref.state, logs: [], stale: [] });
    }));
  }, 600_000);

  afterAll(async () => {
    for (const db of dbs) await db.drop().catch(() => {});
  });

  for (const target of targets) {
    it(`${target.name}: the uninterrupted reference run holds over a thousand entries and passes digest verify (the CLI)`, async () => {
      const { want, reference } = per.get(target.kind)!;
      expect(want.occurrences.length).toBeGreaterThan(FILES * PER_FILE * 0.9);
      expect(want.items.some((i) => i.in_latest === false)).toBe(true);
      expect(want.versions.length).toBeGreaterThan(0);
      const r = await digestProc(['verify', ...reference.args], { cwd: root, env: reference.env });
      expect(r.stdout).toMatch(/^verify: \d+ checks passed/);
      expect(r.code).toBe(0);
    }, 120_000);
  }

  // The cases run two at a time (each in its own working folder and database).
  for (const target of targets) {
    for (const [index, seed] of SEEDS.entries()) {
      it.concurrent(`${target.name}, seed ${seed}: after every kill and a re-run, the end state equals the uninterrupted run's`, () => slot(async () => {
        const { want, logs, stale } = per.get(target.kind)!;
        const db = await target.fresh(root, `${target.kind}-seed${seed}`, index === 1);
        dbs.push(db);
        const work = `${root}/work-${target.kind}-${seed}`;
        const p = plan(index, seed, db);
        const one = await crashPhase(db, work, corpus.v1, `seed ${seed} v1`, p.v1);
        const two = await crashPhase(db, work, corpus.v2, `seed ${seed} v2`, p.v2);
        const attempts = [...one.logs, ...two.logs];
        logs.push(...attempts);
        const got = await inspect(db);
        expect(diffStates(want, got.state), 'differences from the uninterrupted run').toEqual([]);
        // Every run adds up; each completed attempt left one finished run; a run killed from
        // inside (before its final COMMIT) did not finish; on PGlite the next run closed it.
        const status = new Map(got.runs.map((r) => [r.id, r.status]));
        for (const r of got.runs) expect(r.entries_read, `run ${r.id} (${r.status}) adds up`).toBe(r.sum);
        const completed = [...one.completedRuns, ...two.completedRuns];
        expect(completed.length).toBe(one.completed + two.completed);
        for (const id of completed) expect(status.get(id), `completed run ${id}`).toBe('finished');
        for (const a of attempts.filter((x) => x.selfKilled && x.runId != null)) expect(status.get(a.runId!), `killed run ${a.runId}`).not.toBe('finished');
        const finishedWhileDying = attempts.filter((a) => a.killed && !a.selfKilled && a.runId != null && status.get(a.runId) === 'finished');
        for (const a of finishedWhileDying) a.detail += ' (its run had committed as finished before the signal)';
        expect(got.runs.filter((r) => r.status === 'finished').length).toBe(completed.length + finishedWhileDying.length);
        if (target.kind === 'pglite') for (const r of got.runs) expect(['finished', 'abandoned'], `run ${r.id}`).toContain(r.status);
        // Every invariant but "no stale running run" (its own test below) holds.
        expect(got.problems.filter((x) => x.check !== 'stale-runs')).toEqual([]);
        stale.push(...got.problems.filter((x) => x.check === 'stale-runs'));
        await db.drop();
      }), 900_000);
    }
  }

  it('killed the loader at 20 or more points over both databases, 10 or more on each (the list is printed)', () => {
    for (const { target, logs } of per.values()) {
      const kills = logs.filter((l) => l.killed).length;
      console.log(`crash harness on ${target.name}: ${kills} kill points (${FILES} pages x ${PER_FILE} entries)\n${[...logs].sort((a, b) => a.phase.localeCompare(b.phase)).map((l) => `  ${l.phase} ${l.killed ? 'KILLED' : 'ran   '} ${l.what} -> ${l.detail} (${l.ms} ms)`).join('\n')}`);
      expect(kills, target.name).toBeGreaterThanOrEqual(10);
    }
    if (per.size === 2) expect([...per.values()].reduce((n, p) => n + p.logs.filter((l) => l.killed).length, 0)).toBeGreaterThanOrEqual(20);
  });

  it('PGlite: closes every killed run as abandoned, so digest verify passes in full', () => {
    expect(per.get('pglite')!.stale).toEqual([]);
  });

  // On a server several loaders may run at once: a run is closed as abandoned once the
  // advisory lock its process held (src/load/run-owner.ts) is free.
  it.skipIf(!SERVER)('server: closes every killed run as abandoned, so digest verify passes in full', () => {
    expect(per.get('postgres')!.stale).toEqual([]);
  });
});

describe('a crash between two pages that carry the same item (PGlite)', () => {
  const root = tempRoot('boundary');
  const work = `${root}/work`;

  // Item X is on pages a and b; v2 adds an entry to a and fixes X's body on b. Whether the
  // run is killed after a committed or not, b's changed copy of X updates X (the page's own
  // copy changed), and a's unchanged copy does not revert it.
  it('leaves the same item values whether or not the run was killed between the two pages', async () => {
    let refDb: FreshDb | null = null;
    let crashedDb: FreshDb | null = null;
    const x = genEntry(3, 1);
    const page = (...texts: string[]) => `${['A- A A+', ...texts].join('\n\n\n')}\n`;
    const fixed = x.text.replace('\n\n', '\n\nA correction was published later. ');
    const v1 = { 'a.txt': page(genEntry(3, 2).text, x.text), 'b.txt': page(genEntry(3, 3).text, x.text) };
    const v2 = { 'a.txt': page(genEntry(3, 2).text, x.text, genEntry(3, 4).text), 'b.txt': page(genEntry(3, 3).text, fixed) };
    const write = (files: Record<string, string>) => {
      rmSync(`${work}/pages`, { recursive: true, force: true });
      mkdirSync(`${work}/pages`, { recursive: true });
      for (const [n, t] of Object.entries(files)) writeFileSync(`${work}/pages/${n}`, t);
    };
    const template = await pgliteTemplate(`${root}/template`);
    // The uninterrupted runs in this process (runIngest, as the CLI calls it); only the killed one is a child.
    const ingest = (db: FreshDb) => withDb(db, (h) => runIngest(h, ['pages'], createContext({ now: NOW })));
    const cwd = process.cwd();
    process.chdir(work);
    try {
      const ref = freshPglite(root, 'ref', template);
      write(v1);
      await ingest(ref);
      write(v2);
      await ingest(ref);
      const crashed = freshPglite(root, 'crashed', template);
      write(v1);
      await ingest(crashed);
      write(v2);
      const killed = await childProc({ db: crashed.child, paths: ['pages'], kill: { kind: 'doc', nth: 1 } }, { cwd: work });
      expect(killed.killed).toBe(true);
      await ingest(crashed);
      refDb = ref;
      crashedDb = crashed;
    } finally {
      process.chdir(cwd);
    }
    const a = await inspect(refDb!);
    const b = await inspect(crashedDb!);
    expect(b.problems).toEqual([]);
    expect(diffStates(a.state, b.state)).toEqual([]);
  }, 300_000);
});
