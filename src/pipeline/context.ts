import digestPages from '../../pipelines/digest-pages.ts';
import type { Logger, PipelineConfig, RunContext } from '../types.ts';

/** A logger that writes nothing (tests, `digest parse`). */
export const silentLogger: Logger = { info() {}, warn() {}, debug() {} };

/**
 * The default pipeline configuration (pipelines/digest-pages.ts as written, unvalidated).
 * Commands that take `--pipeline` and the DIGEST_* settings use `resolveConfig` in src/config.
 */
export function defaultConfig(): PipelineConfig {
  return { ...digestPages, languages: [...digestPages.languages], chrome: [...digestPages.chrome] };
}

/**
 * Builds a RunContext. `now` is the only clock a stage may see; tests pass a fixed one.
 * `config` defaults to `defaultConfig()`, `log` to a silent logger, `runId` to null.
 */
export function createContext(opts: { now: Date; runId?: number | null; config?: PipelineConfig; log?: Logger }): RunContext {
  return { runId: opts.runId ?? null, now: opts.now, config: opts.config ?? defaultConfig(), log: opts.log ?? silentLogger };
}
