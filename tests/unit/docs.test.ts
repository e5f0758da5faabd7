import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../../src/diagnostics.ts';
import { ROOT } from '../helpers/paths.ts';

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('documents every diagnostic code the code can emit, with its severity', () => {
    for (const [code, [severity]] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(readme, code).toContain(`| \`${code}\` | ${severity} |`);
    }
  });

  it('gives exactly two quick-start commands: install-and-run, and test', () => {
    const quick = readme.split('## Quick start')[1]!.split('```sh')[1]!.split('```')[0]!.trim().split('\n');
    expect(quick.map((l) => l.split('#')[0]!.trim())).toEqual(['npm ci && npm start', 'npm test']);
  });
});
