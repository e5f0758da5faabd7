import { defaultParseWorkers } from '../pipeline/pool.ts';
import { UsageError } from './common.ts';

/**
 * Parse worker threads of the commands that run the pipeline (`digest ingest`, `digest
 * schedule`): `--workers N`, else DIGEST_WORKERS, else one per core beyond the first (0 = every
 * stage in the main thread). Kept out of common.ts because it loads the parser's pool, which
 * commands such as `digest runs` must not.
 */
export function workersOf(flag: string | undefined, env: Record<string, string | undefined>): number {
  const raw = flag ?? env.DIGEST_WORKERS;
  if (raw == null || raw === '') return defaultParseWorkers();
  if (!/^\d+$/.test(raw.trim()) || Number(raw) > 64) {
    throw new UsageError(`${flag != null ? '--workers' : 'DIGEST_WORKERS'} must be a whole number from 0 to 64 (got '${raw}'); 0 runs every stage in the main thread`);
  }
  return Number(raw);
}
