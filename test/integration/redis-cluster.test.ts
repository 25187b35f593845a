// Past one machine: queues, limits and the send rate on a 3-node Redis Cluster started here
// (redis-server --cluster-enabled yes, redis-cli --cluster create), with a hash-tagged queue prefix.
// Two worker processes share it; every reader gets the edition exactly once.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/embedded-postgres.js';
import { sendToEveryoneOnceFromTwoWorkers, startStack, type Stack } from '../helpers/stack.js';

const READERS = 300;
const available = inject('redisUrl') !== null && spawnSync('redis-cli', ['--version']).status === 0;
if (!available && process.env.CI === 'true') throw new Error('redis-server and redis-cli are required with CI=true (apt-get install -y redis-server)');

describe.skipIf(!available)('Redis Cluster', () => {
  const nodes: ChildProcess[] = [];
  let ports: number[] = [];
  let stack: Stack;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'papermail-cluster-'));
    ports = [await freePort(), await freePort(), await freePort()];
    for (const port of ports) {
      nodes.push(
        spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--save', '', '--appendonly', 'no'], { cwd: dir, stdio: 'ignore' }),
      );
    }
    for (const port of ports) {
      for (let i = 0; spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !== 'PONG'; i++) {
        if (i > 100) throw new Error(`redis-server on ${port} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { encoding: 'utf8' });
    expect(created.status, created.stdout + created.stderr).toBe(0);
    for (let i = 0; !/cluster_state:ok/.test(spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'info'], { encoding: 'utf8' }).stdout); i++) {
      if (i > 100) throw new Error('the cluster did not become ok');
      await new Promise((r) => setTimeout(r, 100));
    }
    stack = await startStack('redis', { REDIS_URL: `redis://127.0.0.1:${ports[0]}`, REDIS_CLUSTER: 'true', QUEUE_PREFIX: `{pm${ports[0]}}`, SEND_RATE: '1000' });
  }, 60_000);
  afterAll(async () => {
    await stack?.close();
    for (const n of nodes) n.kill('SIGKILL');
  });

  it('signs up through the per-IP limits, sends an edition from two workers exactly once, all on the cluster', async () => {
    await sendToEveryoneOnceFromTwoWorkers(stack, 'clustered', READERS);
    // The queues' keys live in the cluster, in the one slot of their hash tag.
    const tag = `pm${ports[0]}`;
    const slot = spawnSync('redis-cli', ['-p', String(ports[0]), 'cluster', 'keyslot', tag], { encoding: 'utf8' }).stdout.trim();
    const counted = spawnSync('redis-cli', ['-c', '-p', String(ports[0]), 'cluster', 'countkeysinslot', slot], { encoding: 'utf8' }).stdout.trim();
    let keys = 0;
    for (const port of ports) keys += Number(spawnSync('redis-cli', ['-p', String(port), 'cluster', 'countkeysinslot', slot], { encoding: 'utf8' }).stdout.trim() || 0);
    expect(keys, `slot ${slot}: ${counted}`).toBeGreaterThan(0);
  });
});
