/**
 * Test helper process: opens the embedded database in the folder given as argv[2], prints
 * "ready <pid>", and holds it until SIGTERM (then closes it cleanly) or SIGKILL.
 */
import { createDb } from '../../src/db/client.ts';

const handle = await createDb({ dir: process.argv[2]! });
process.stdout.write(`ready ${process.pid}\n`);
const keepAlive = setInterval(() => {}, 60_000);
process.once('SIGTERM', () => {
  clearInterval(keepAlive);
  void handle.close().then(() => process.exit(0));
});
