import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** ../shared/seeds/digest-2022-09.txt beside the repository, when it exists. */
export const SEED_TXT = fileURLToPath(new URL('../../../shared/seeds/digest-2022-09.txt', import.meta.url));
export const SEED_GOLD = fileURLToPath(new URL('../../../shared/seeds/digest-2022-09.gold.jsonl', import.meta.url));
export const HAS_SEED = existsSync(SEED_TXT) && existsSync(SEED_GOLD);

/** A fixed reference "now" for every test that involves dates. */
export const NOW = new Date('2024-01-01T00:00:00Z');
