#!/usr/bin/env node
// Entry point of the `digest` command. The sources are TypeScript run through tsx, so a fresh
// clone needs nothing but `npm ci`.
import { register } from 'tsx/esm/api';
register();
const { main, exitOnUncaught } = await import('../src/cli/main.ts');
exitOnUncaught(process.argv.slice(2));
process.exitCode = await main(process.argv.slice(2));
