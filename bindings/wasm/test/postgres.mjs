// A throwaway Postgres cluster for the tests: `initdb` and `pg_ctl` in a
// temporary directory, on a free port of 127.0.0.1, trusting local
// connections (as crates/idn-toto-client/tests/postgres.rs does). initdb
// refuses to run as root: under root the cluster is the postgres user's
// (runuser). Binaries: $IDN_TOTO_PG_BIN, Debian's
// /usr/lib/postgresql/<version>/bin (newest first), or the PATH.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

function pgBin() {
  if (process.env.IDN_TOTO_PG_BIN) return process.env.IDN_TOTO_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).map((v) => path.join(root, v, 'bin')).filter((d) => existsSync(path.join(d, 'initdb')))
    : [];
  versions.sort((a, b) => Number(path.basename(path.dirname(a))) - Number(path.basename(path.dirname(b))));
  if (versions.length > 0) return versions[versions.length - 1];
  const found = (process.env.PATH || '').split(path.delimiter).find((d) => existsSync(path.join(d, 'initdb')));
  if (found === undefined) throw new Error('Postgres is missing: no initdb (apt-get install postgresql; .ci/run installs it)');
  return found;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts a cluster; resolves to `{ connectionString, stop() }`. */
export async function startPostgres() {
  const bin = pgBin();
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-pg-'));
  const asPostgres = typeof process.getuid === 'function' && process.getuid() === 0;
  if (asPostgres) execFileSync('chown', ['-R', 'postgres', dir]);
  const run = (program, args) => {
    const exe = path.join(bin, program);
    const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  };
  const data = path.join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'idn', '--no-sync']);
  run('pg_ctl', ['-D', data, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', path.join(dir, 'log'), '-w', 'start']);
  return {
    connectionString: `postgres://idn@127.0.0.1:${port}/postgres`,
    async stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
