// Prints the README's diagnostic-code table from src/diagnostics.ts (the single source).
// Usage: npx tsx scripts/readme-diagnostics.ts
import { DIAGNOSTIC_CODES } from '../src/diagnostics.ts';

const rows = Object.entries(DIAGNOSTIC_CODES).map(([code, [severity, text]]) => `| \`${code}\` | ${severity} | ${text} |`);
process.stdout.write(['| code | severity | meaning |', '|---|---|---|', ...rows].join('\n') + '\n');
