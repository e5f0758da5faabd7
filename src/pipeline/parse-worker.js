// Bootstrap of a parse worker thread (see pool.ts): the sources are TypeScript run through tsx,
// as in bin/digest.js, so register tsx first, then load the worker module.
import { register } from 'tsx/esm/api';
register();
await import('./parse-worker.ts');
