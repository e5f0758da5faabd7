import { describe, expect, it } from 'vitest';
import { describeFailure, describeUncaught, driverLostConnection } from '../../../src/cli/errors.ts';
import { failureReason } from '../../../src/db/errors.ts';

/** A TypeError as postgres.js throws it from its write timer after the server closed the socket. */
function driverCrash(): TypeError {
  const e = new TypeError("Cannot read properties of null (reading 'write')");
  e.stack = `${e.name}: ${e.message}\n    at nextWrite (/app/node_modules/postgres/src/connection.js:255:12)\n    at process.processImmediate (node:internal/timers:478:21)`;
  return e;
}

describe('CLI failure sentences', () => {
  it('reports the driver\'s uncatchable TypeError after a lost connection as a lost connection, in one line without a stack', () => {
    const { text, code } = describeUncaught(driverCrash(), 'ingest', { DATABASE_URL: 'postgres://u:secret@db:5432/x' }, false);
    expect(code).toBe(1);
    expect(text).toBe("digest ingest: cannot use the database server (CONNECTION_CLOSED: the server closed the connection while a statement was being sent (Cannot read properties of null (reading 'write'))). Check DATABASE_URL and that the server is running.\n");
  });

  it('leaves other uncaught errors as they are (one sentence, the stack only with --debug)', () => {
    const other = new TypeError('x is not a function');
    expect(driverLostConnection(other)).toBeNull();
    expect(describeUncaught(other, 'ingest', {}, false).text).toBe('digest ingest: x is not a function (run again with --debug for the stack trace).\n');
    expect(describeUncaught(other, 'ingest', {}, true).text).toContain('\n    at ');
  });

  it('gives a failed statement\'s database reason and SQLSTATE, never drizzle\'s query text and parameters', () => {
    const driver = Object.assign(new Error('index row size 5016 exceeds btree version 4 maximum 2704 for index "entries_key_key"'), { code: '54000' });
    const drizzle = new Error(`Failed query: insert into "entries" (...) values (...)\nparams: ${'x'.repeat(100_000)}`, { cause: driver });
    expect(failureReason(drizzle)).toBe('index row size 5016 exceeds btree version 4 maximum 2704 for index "entries_key_key" (SQLSTATE 54000)');
    const { text } = describeFailure(new Error(`load failed on a.txt: ${failureReason(drizzle)}`, { cause: drizzle }), 'ingest', {}, false);
    expect(text.length).toBeLessThan(300);
    // Without a database error in the chain: the innermost message, cut to 500 characters.
    expect(failureReason(new Error('Failed query: select 1\nparams: ', { cause: new Error('socket hang up') }))).toBe('socket hang up');
    expect(failureReason(new Error('y'.repeat(2000)))).toHaveLength(501);
  });
});
