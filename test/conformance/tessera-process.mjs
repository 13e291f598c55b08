// Starts a real Tessera server process on a free loopback port with a fresh data directory, or, when
// TESSERA_TEST_STORE=postgres, a fresh database on the test PostgreSQL server (TESSERA_TEST_PG_PORT, started by test.sh).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startTessera({ apiKey }) {
  const dll = process.env.TESSERA_SERVER_DLL;
  if (!dll) throw new Error('TESSERA_SERVER_DLL must name the built Tessera.Server.dll');
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-conformance-'));
  const args = [dll, '--urls', 'http://127.0.0.1:0', '--data-dir', dataDir];
  const database = process.env.TESSERA_TEST_STORE === 'postgres' ? `tessera_conformance_${process.pid}_${Date.now()}` : null;
  if (database) {
    psql(`CREATE DATABASE ${database}`);
    args.push('--postgres', `Host=127.0.0.1;Port=${process.env.TESSERA_TEST_PG_PORT};Username=tessera;Database=${database}`);
  }
  const child = spawn('dotnet', args, {
    env: { ...process.env, TESSERA_BOOTSTRAP_APIKEY: apiKey, Logging__Console__FormatterName: 'simple' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Tessera did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      const match = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`Tessera exited with ${code}:\n${output}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dataDir, { recursive: true, force: true });
      if (database) psql(`DROP DATABASE ${database} WITH (FORCE)`);
    },
  };
}

function psql(sql) {
  execFileSync('psql', ['-h', '127.0.0.1', '-p', process.env.TESSERA_TEST_PG_PORT, '-U', 'tessera', '-d', 'postgres', '-q', '-c', sql]);
}
