import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from './error.ts';
import { checkConfig, DEFAULTS, type EffectiveConfig, SETTING_KEYS, type SettingKey } from './schema.ts';

/** The project's pipelines folder (beside src/). */
export const PIPELINES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../pipelines');

/** The pipeline used when none is named. */
export const DEFAULT_PIPELINE = resolve(PIPELINES_DIR, 'digest-pages.ts');

export { ConfigError };

/** Where a value came from, lowest precedence first. */
export type SourceKind = 'default' | 'pipeline' | 'environment' | 'flag';

/** A value's origin: the layer and, for the pipeline file, env and flags, its name. */
export interface Source {
  kind: SourceKind;
  /** `pipelines/digest-pages.ts`, `DIGEST_LANGUAGES`, `--languages`; null for defaults. */
  name: string | null;
}

/** The configuration a command runs with, and where every value came from. */
export interface ResolvedConfig {
  config: EffectiveConfig;
  sources: Record<SettingKey, Source>;
  /** The pipeline file, as shown to the user, and how it was chosen. */
  pipeline: { file: string; path: string; from: Source };
}

/** How a setting is written in the environment and as a flag, and how its text is read. */
const SPEC: Record<Exclude<SettingKey, 'name'>, { env: string; flag: string; kind: 'list' | 'int' | 'number' | 'cron' }> = {
  languages: { env: 'DIGEST_LANGUAGES', flag: 'languages', kind: 'list' },
  languageMinLength: { env: 'DIGEST_LANGUAGE_MIN_LENGTH', flag: 'language-min-length', kind: 'int' },
  languageMaxChars: { env: 'DIGEST_LANGUAGE_MAX_CHARS', flag: 'language-max-chars', kind: 'int' },
  languageMargin: { env: 'DIGEST_LANGUAGE_MARGIN', flag: 'language-margin', kind: 'number' },
  chrome: { env: 'DIGEST_CHROME', flag: 'chrome', kind: 'list' },
  nearDuplicateThreshold: { env: 'DIGEST_NEAR_DUPLICATE_THRESHOLD', flag: 'near-duplicate-threshold', kind: 'number' },
  schedule: { env: 'DIGEST_SCHEDULE', flag: 'schedule', kind: 'cron' },
  maxEntryChars: { env: 'DIGEST_MAX_ENTRY_CHARS', flag: 'max-entry-chars', kind: 'int' },
  maxFileBytes: { env: 'DIGEST_MAX_FILE_BYTES', flag: 'max-file-bytes', kind: 'int' },
  lockTimeoutSeconds: { env: 'DIGEST_LOCK_TIMEOUT_SECONDS', flag: 'lock-timeout-seconds', kind: 'int' },
};

/** The environment variable and flag of each overridable setting (for help and README). */
export const OVERRIDES = Object.entries(SPEC).map(([key, s]) => ({ key: key as SettingKey, env: s.env, flag: `--${s.flag}` }));

/** parseArgs options of the configuration flags every pipeline command takes. */
export const CONFIG_FLAGS = {
  pipeline: { type: 'string' },
  languages: { type: 'string' },
  'language-min-length': { type: 'string' },
  'language-max-chars': { type: 'string' },
  'language-margin': { type: 'string' },
  chrome: { type: 'string' },
  'near-duplicate-threshold': { type: 'string' },
  schedule: { type: 'string' },
  'max-entry-chars': { type: 'string' },
  'max-file-bytes': { type: 'string' },
  'lock-timeout-seconds': { type: 'string' },
} as const;

/** Values of CONFIG_FLAGS as parseArgs returns them. */
export type ConfigFlagValues = Partial<Record<keyof typeof CONFIG_FLAGS, string | undefined>>;

/** Reads a setting written as text (environment, flag): lists as JSON or comma-separated. */
function fromText(kind: 'list' | 'int' | 'number' | 'cron', text: string): unknown {
  const t = text.trim();
  switch (kind) {
    case 'list':
      if (t.startsWith('[')) {
        try {
          return JSON.parse(t);
        } catch {
          return t;
        }
      }
      return t === '' ? [] : t.split(',').map((s) => s.trim());
    case 'int':
    case 'number':
      return /^-?\d+(\.\d+)?(e\d+)?$/i.test(t.replace(/_/g, '')) ? Number(t.replace(/_/g, '')) : t;
    case 'cron':
      return t === '' || t === 'null' || t === 'none' ? null : t;
  }
}

/** A path as the user reads it: relative to the working folder when inside it. */
export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

/** The pipeline files in the project's pipelines folder. */
export function listPipelines(): string[] {
  try {
    return readdirSync(PIPELINES_DIR).filter((f) => f.endsWith('.ts')).sort();
  } catch {
    return [];
  }
}

/** Resolves `--pipeline X`: a path, or the name of a file in the project's pipelines folder. */
function locatePipeline(given: string, cwd: string, label: string): string {
  const candidates = [resolve(cwd, given)];
  if (!given.includes('/') && !given.includes('\\')) candidates.push(resolve(PIPELINES_DIR, given), resolve(PIPELINES_DIR, `${given}.ts`));
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return c;
  const known = listPipelines();
  throw new ConfigError([`${label} ${given}: no such pipeline file; give a path, or one of ${known.length ? known.map((f) => `pipelines/${f}`).join(', ') : 'the files in pipelines/'}.`]);
}

async function importPipeline(abs: string, shown: string): Promise<Record<string, unknown>> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(abs).href)) as Record<string, unknown>;
  } catch (err) {
    const msg = ((err as Error)?.message ?? String(err)).split('\n')[0];
    throw new ConfigError([`${shown}: cannot be loaded (${msg}); fix the file or pick another with --pipeline.`]);
  }
  const value = mod.default ?? mod.pipeline;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError([`${shown}: does not export a configuration object; write "export default { name: '…', languages: ['en', 'de'] }".`]);
  }
  return value as Record<string, unknown>;
}

/**
 * The effective pipeline configuration. Precedence, lowest first: built-in defaults < the
 * pipeline file (`--pipeline FILE` > DIGEST_PIPELINE > pipelines/digest-pages.ts) < the
 * environment (DIGEST_LANGUAGES, DIGEST_MAX_ENTRY_CHARS, …) < flags (--languages, …).
 * Every value is validated; problems throw a ConfigError naming where the bad value came from,
 * e.g. "pipelines/digest-pages.ts: languages[2] 'xx' is not an ISO 639-1 code".
 */
export async function resolveConfig(opts: { flags?: ConfigFlagValues; env: Record<string, string | undefined>; cwd: string }): Promise<ResolvedConfig> {
  const flags = opts.flags ?? {};
  let from: Source = { kind: 'default', name: null };
  let path = DEFAULT_PIPELINE;
  if (flags.pipeline) {
    from = { kind: 'flag', name: '--pipeline' };
    path = locatePipeline(flags.pipeline, opts.cwd, '--pipeline');
  } else if (opts.env.DIGEST_PIPELINE) {
    from = { kind: 'environment', name: 'DIGEST_PIPELINE' };
    path = locatePipeline(opts.env.DIGEST_PIPELINE, opts.cwd, 'DIGEST_PIPELINE');
  }
  const shown = path.startsWith(`${PIPELINES_DIR}/`) ? `pipelines/${relative(PIPELINES_DIR, path)}` : displayPath(path, opts.cwd);
  const file = await importPipeline(path, shown);

  const merged: Record<string, unknown> = { name: basename(path).replace(/\.[cm]?[jt]s$/, ''), ...DEFAULTS };
  const sources = Object.fromEntries(SETTING_KEYS.map((k) => [k, { kind: 'default', name: null } as Source])) as Record<SettingKey, Source>;
  const origin = new Map<string, string>(); // key -> label for messages
  for (const [k, v] of Object.entries(file)) {
    if (v === undefined) continue;
    merged[k] = v;
    if (k in sources) sources[k as SettingKey] = { kind: 'pipeline', name: shown };
    origin.set(k, shown);
  }
  for (const [key, spec] of Object.entries(SPEC) as [Exclude<SettingKey, 'name'>, (typeof SPEC)[keyof typeof SPEC]][]) {
    const e = opts.env[spec.env];
    if (e !== undefined && e !== '') {
      merged[key] = fromText(spec.kind, e);
      sources[key] = { kind: 'environment', name: spec.env };
      origin.set(key, `environment ${spec.env}`);
    }
    const f = flags[spec.flag as keyof ConfigFlagValues];
    if (f !== undefined) {
      merged[key] = fromText(spec.kind, f);
      sources[key] = { kind: 'flag', name: `--${spec.flag}` };
      origin.set(key, `--${spec.flag}`);
    }
  }
  const problems = checkConfig(merged);
  if (problems.length) {
    throw new ConfigError(problems.map((p) => `${origin.get(p.key ?? p.path) ?? (p.key ? 'default' : shown)}: ${p.path ? `${p.path} ` : ''}${p.message}.`));
  }
  return { config: merged as unknown as EffectiveConfig, sources, pipeline: { file: shown, path, from } };
}
