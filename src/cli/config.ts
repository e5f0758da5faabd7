import { CONFIG_FLAGS, resolveConfig, type Source } from '../config/load.ts';
import { SETTING_KEYS } from '../config/schema.ts';
import { DB_FLAGS, databaseTarget, EXIT, type Io, parseFlags, table, UsageError } from './common.ts';

/** "default", "pipelines/x.ts", "environment DIGEST_LANGUAGES", "flag --languages". */
export function describeSource(s: Source): string {
  switch (s.kind) {
    case 'default':
      return 'default';
    case 'pipeline':
      return `pipeline file ${s.name}`;
    case 'environment':
      return `environment ${s.name}`;
    case 'flag':
      return `flag ${s.name}`;
  }
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map((x) => String(x)).join(', ');
  return String(v);
}

/**
 * `digest config [--pipeline FILE] [setting flags…] [--json]`: the effective configuration and
 * where each value came from (default < pipeline file < environment < flag), plus the database.
 * Validation problems exit 2 with one line each ("pipelines/x.ts: languages[2] 'xx' is not an
 * ISO 639-1 code.").
 */
export async function configCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...DB_FLAGS, ...CONFIG_FLAGS, json: { type: 'boolean' } });
  if (positionals.length) throw new UsageError(`digest config takes no arguments (got ${positionals.join(' ')})`);
  const r = await resolveConfig({ flags: values, env: io.env, cwd: io.cwd });
  const db = databaseTarget(values, io);
  if (values.json) {
    const settings = Object.fromEntries(SETTING_KEYS.map((k) => [k, { value: r.config[k] ?? null, from: r.sources[k] }]));
    io.out(`${JSON.stringify({ pipeline: { file: r.pipeline.file, from: r.pipeline.from }, settings, database: { value: db.describe, from: db.from } })}\n`);
    return EXIT.ok;
  }
  const rows: unknown[][] = [
    ['pipeline', r.pipeline.file, describeSource(r.pipeline.from)],
    ...SETTING_KEYS.map((k) => [k, show(r.config[k]), describeSource(r.sources[k])]),
    ['database', db.describe, describeSource(db.from)],
  ];
  io.out(table(['setting', 'value', 'from'], rows, 48));
  io.out('Precedence: default < pipeline file < environment < flag.\n');
  io.out('Set a value with DIGEST_<SETTING> or --<setting> (DIGEST_MAX_ENTRY_CHARS, --max-entry-chars; "digest config --help" lists them).\n');
  return EXIT.ok;
}
