import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A throw-away PostgreSQL cluster the test creates itself (initdb + pg_ctl in a temp folder, on
 * a free port), so it can be stopped and started under a running loader without touching the
 * shared server. As root, the server binaries run as the `postgres` OS user (runuser).
 */
export interface TempCluster {
  port: number;
  dir: string;
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  start(): void;
  /** `pg_ctl stop -m MODE` (immediate: like a crash, recovery on the next start). */
  stop(mode?: 'fast' | 'immediate'): void;
  /** Stops it and removes its folder. */
  destroy(): void;
}

/** The newest PostgreSQL server binaries on this machine (/usr/lib/postgresql/N/bin), or null. */
export function postgresBin(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0]!, 'bin') : null;
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** Why a temp cluster cannot be made here (no binaries, no postgres user), or null when it can. */
export function clusterUnavailable(): string | null {
  if (!postgresBin()) return 'no /usr/lib/postgresql/*/bin/initdb';
  if (process.getuid?.() === 0 && !postgresUser()) return 'running as root without a postgres OS user';
  return null;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Creates (initdb) and starts a cluster in `root/cluster`. */
export async function createCluster(root: string): Promise<TempCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('no PostgreSQL server binaries');
  const asRoot = process.getuid?.() === 0;
  const pg = asRoot ? postgresUser() : null;
  const dir = join(root, 'cluster');
  mkdirSync(dir, { recursive: true });
  if (pg) {
    chownSync(root, pg.uid, pg.gid);
    chownSync(dir, pg.uid, pg.gid);
  }
  const as = (cmd: string, args: string[]) => execFileSync(asRoot ? 'runuser' : cmd, asRoot ? ['-u', 'postgres', '--', cmd, ...args] : args, { stdio: 'pipe', encoding: 'utf8', timeout: 120_000 });
  as(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=40`;
  const cluster: TempCluster = {
    port,
    dir,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: () => void as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-o', opts, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']),
    stop: (mode = 'fast') => void as(join(bin, 'pg_ctl'), ['-D', join(dir, 'data'), '-m', mode, '-w', '-t', '60', 'stop']),
    destroy: () => {
      try {
        cluster.stop('immediate');
      } catch {
        /* not running */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}
