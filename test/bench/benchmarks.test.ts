// The benchmarks cannot rot: a small run of each, asserting counts only (never times or rates).
// Figures come from the full runs (bench/README.md); here each script must finish and its own check hold.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const tsx = (script: string, args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, timeout: 240_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, CI: '', ...env } });

describe('benchmarks, small', () => {
  // 2,500 readers are three pages of assignment, so the overlapped pages (one read ahead, one written behind) are run.
  it('bench:fanout sends 2,500 personal digests from two workers on Redis exactly once, and measures the ceiling', async () => {
    const { stdout } = await tsx('bench/fanout.ts', ['--subscribers', '2500', '--workers', '2', '--redis', '--personal', '--json', '--ceiling-min', '2000']);
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown> & { workerRssMB: unknown[] };
    expect(r).toMatchObject({ subscribers: 2500, workers: 2, queue: 'redis', personal: true, failed: 0, exactlyOnce: true });
    expect(Number(r.sent) + Number(r.skipped)).toBe(2500);
    expect(r.sinkReceived).toBe(r.sent);
    // Personal readers (topics, histories, feedback) make many lists; the edition is rendered once, in parts.
    expect(Number(r.distinctLists)).toBeGreaterThan(100);
    expect(r.renders).toBe(1);
    expect(Number(r.messageKB)).toBeGreaterThan(10);
    expect(r.workerRssMB).toHaveLength(2);
    expect(Number(r.ceiling)).toBeGreaterThan(0);
  }, 300_000);

  it('bench:fanout --assign-only gives every personal reader one row from two workers in shards, with nothing sent', async () => {
    const { stdout } = await tsx('bench/fanout.ts', ['--subscribers', '1500', '--workers', '2', '--redis', '--personal', '--assign-only', '--json'], { ASSIGN_SHARD_READERS: '500' });
    const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(r).toMatchObject({ subscribers: 1500, workers: 2, assignOnly: true, personal: true, everyReaderOnce: true, renders: 1, shards: 3 });
    expect(Number(r.queued) + Number(r.skipped)).toBe(1500);
    expect(Number(r.distinctLists)).toBeGreaterThan(100);
  }, 300_000);

  it('bench:signup stores one row and queues one confirmation per accepted signup', async () => {
    const { stdout } = await tsx('bench/signup.ts', ['--signups', '300', '--warmup', '100', '--seconds', '1', '--connections', '5']);
    expect(stdout).toMatch(/POST \/subscribe: .* 300 accepted, 0 refused, 0 errors/);
    expect(stdout).toMatch(/check: 300 subscriber rows and 300 confirmations queued \(\+0 still in the outbox\) for 300 accepted signups \(and 100 of the warm-up's\): one each/);
    expect(stdout).toMatch(/ratio=\d/);
  }, 300_000);
});
