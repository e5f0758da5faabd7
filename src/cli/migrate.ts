import { DB_FLAGS, EXIT, type Io, openDb, parseFlags } from './common.ts';

/** `digest migrate`: applies pending migrations and says how long it took. */
export async function migrateCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags(argv, DB_FLAGS);
  const t0 = Date.now();
  const handle = await openDb(values, io, true);
  await handle.close();
  io.out(`digest migrate: ${handle.describe} is up to date (${Date.now() - t0} ms)\n`);
  return EXIT.ok;
}
