import { z } from 'zod';
import { ISO6391_TO_6393 } from '../language/language.ts';
import { MAX_ENTRY_CHARS } from '../quality/quality.ts';
import { DEFAULT_LOCK_TIMEOUT_SECONDS } from '../load/limits.ts';
import { DEFAULT_MAX_FILE_BYTES } from '../read/files.ts';
import type { PipelineConfig } from '../types.ts';

/** Every ISO 639-1 code (two letters), for telling "not a code" from "not supported". */
export const ISO_639_1 = new Set(
  ('aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv dz ee el en eo es et eu ' +
    'fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ' +
    'ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os ' +
    'pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ' +
    'ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu').split(' '),
);

/** The settings of a pipeline, in the order `digest config` prints them. */
export const SETTING_KEYS = [
  'name',
  'languages',
  'languageMinLength',
  'languageMaxChars',
  'languageMargin',
  'chrome',
  'nearDuplicateThreshold',
  'schedule',
  'maxEntryChars',
  'maxFileBytes',
  'lockTimeoutSeconds',
] as const satisfies readonly (keyof PipelineConfig)[];

/** A setting's name. */
export type SettingKey = (typeof SETTING_KEYS)[number];

/** A pipeline configuration with every optional field filled in. */
export type EffectiveConfig = PipelineConfig & { maxEntryChars: number; maxFileBytes: number; lockTimeoutSeconds: number };

/**
 * Built-in defaults, used for any setting the pipeline file leaves out (`name` defaults to the
 * file's base name). The shipped pipeline file sets the language and chrome settings itself.
 */
export const DEFAULTS: Omit<EffectiveConfig, 'name'> = {
  languages: ['en', 'de'],
  languageMinLength: 50,
  languageMaxChars: 400,
  languageMargin: 0.02,
  chrome: [],
  nearDuplicateThreshold: 0.8,
  schedule: null,
  maxEntryChars: MAX_ENTRY_CHARS,
  maxFileBytes: DEFAULT_MAX_FILE_BYTES,
  lockTimeoutSeconds: DEFAULT_LOCK_TIMEOUT_SECONDS,
};

const show = (v: unknown) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v));

function wholeNumber(min: number) {
  return z.unknown().superRefine((v, ctx) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${show(v)} is not a whole number of at least ${min}` });
  }) as unknown as z.ZodType<number>;
}

function fraction() {
  return z.unknown().superRefine((v, ctx) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${show(v)} is not a number from 0 to 1` });
  }) as unknown as z.ZodType<number>;
}

function stringList(each: (s: string, ctx: z.RefinementCtx, i: number) => void) {
  return z.unknown().superRefine((v, ctx) => {
    if (!Array.isArray(v)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${show(v)} is not a list of strings` });
      return;
    }
    v.forEach((s, i) => {
      if (typeof s !== 'string') ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `${show(s)} is not a string` });
      else each(s, ctx, i);
    });
  }) as unknown as z.ZodType<string[]>;
}

const SUPPORTED = Object.keys(ISO6391_TO_6393);

/** A cron expression of five fields (minute hour day month weekday), as graphile-worker reads it. */
const CRON_RE = /^(\S+\s+){4}\S+$/;
const CRON_FIELD_RE = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;

/** The zod schema of a pipeline file: every setting optional except what defaults cannot give. */
export const pipelineSchema = z
  .object({
    name: z.unknown().superRefine((v, ctx) => {
      if (typeof v !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(v)) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${show(v)} is not a name (letters, digits, '.', '_' and '-')` });
    }) as unknown as z.ZodType<string>,
    languages: stringList((s, ctx, i) => {
      if (!ISO_639_1.has(s)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `${show(s)} is not an ISO 639-1 code` });
      else if (!SUPPORTED.includes(s)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `${show(s)} is not supported by the language stage (supported: ${SUPPORTED.join(', ')})` });
    }).superRefine((v, ctx) => {
      if (Array.isArray(v) && v.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'is empty; name at least one language' });
    }),
    languageMinLength: wholeNumber(0),
    languageMaxChars: wholeNumber(1),
    languageMargin: fraction(),
    chrome: stringList((s, ctx, i) => {
      try {
        new RegExp(`^(?:${s})$`, 'i');
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: [i], message: `${show(s)} is not a valid regular expression (${(err as Error).message.replace(/^Invalid regular expression: /, '')})` });
      }
    }),
    nearDuplicateThreshold: fraction(),
    schedule: z.unknown().superRefine((v, ctx) => {
      if (v === null) return;
      if (typeof v !== 'string' || !CRON_RE.test(v.trim()) || !v.trim().split(/\s+/).every((f) => CRON_FIELD_RE.test(f))) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${show(v)} is not a cron expression of five fields (e.g. '0 3 * * *') or null` });
      }
    }) as unknown as z.ZodType<string | null>,
    maxEntryChars: wholeNumber(1),
    maxFileBytes: wholeNumber(1),
    lockTimeoutSeconds: wholeNumber(1),
  })
  .partial()
  .strict();

/** One problem in a configuration: which setting (with index) and what is wrong. */
export interface ConfigProblem {
  key: SettingKey | null;
  /** `languages[2]`, or the unknown key. */
  path: string;
  message: string;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The known setting closest to a misspelt one, if any is close. */
export function closestSetting(key: string): SettingKey | null {
  let best: SettingKey | null = null;
  let bestD = Infinity;
  for (const k of SETTING_KEYS) {
    const dd = distance(key.toLowerCase(), k.toLowerCase());
    if (dd < bestD) {
      best = k;
      bestD = dd;
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : null;
}

/**
 * Validates a configuration object (merged from defaults, the pipeline file, the environment and
 * flags). Returns the problems, each naming its setting and value; empty when valid.
 */
export function checkConfig(value: unknown): ConfigProblem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ key: null, path: '', message: 'does not export a configuration object (export default { name: …, languages: […] })' }];
  }
  const r = pipelineSchema.safeParse(value);
  if (r.success) return [];
  const problems: ConfigProblem[] = [];
  for (const issue of r.error.issues) {
    if (issue.code === z.ZodIssueCode.unrecognized_keys) {
      for (const k of issue.keys) {
        const near = closestSetting(k);
        problems.push({ key: null, path: k, message: `is not a setting${near ? ` (did you mean '${near}'?)` : ''}; the settings are ${SETTING_KEYS.join(', ')}` });
      }
      continue;
    }
    const [head, ...rest] = issue.path;
    const path = `${String(head ?? '')}${rest.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('')}`;
    problems.push({ key: (SETTING_KEYS as readonly string[]).includes(String(head)) ? (head as SettingKey) : null, path, message: issue.message });
  }
  return problems;
}
