// The signed fan-out's proof: smtp-sink dumps every message it receives (-d), a sampler keeps a random few
// and deletes the rest as they land (a 100,000-reader run would otherwise fill memory), and dkimpy (Debian's
// python3-dkim, test/helpers/dkim_verify.py) verifies every signature of a sample of the fan-out's messages
// exactly as they crossed the wire.
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DkimConfig } from '../src/config-dkim.js';
import { dkimRecords } from '../src/mail/dkim.js';

/** smtp-sink's arguments that dump each transaction into `dir` (which the sink's user, nobody, may write). */
export function dumpInto(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
  return ['-d', join(dir, 'm.')];
}

/**
 * Keeps each dumped message with probability `p` (moved to `keep`), deletes the others, every half second;
 * a file is left alone until it has not changed for a second (its transaction is over).
 */
export function startSampler(dir: string, keep: string, p: number) {
  mkdirSync(keep, { recursive: true });
  let kept = 0;
  const sweep = (all: boolean) => {
    const now = Date.now();
    for (const f of readdirSync(dir)) {
      const path = join(dir, f);
      try {
        if (!all && now - statSync(path).mtimeMs < 1000) continue;
        if (Math.random() < p) renameSync(path, join(keep, f)), kept++;
        else unlinkSync(path);
      } catch {
        // gone meanwhile
      }
    }
  };
  const timer = setInterval(() => sweep(false), 500);
  let stopped = false;
  return {
    stop() {
      if (stopped) return kept;
      stopped = true;
      clearInterval(timer);
      sweep(true);
      rmSync(dir, { recursive: true, force: true });
      return kept;
    },
  };
}

/**
 * Verifies up to `n` kept messages that the fan-out sent (not the ceiling's, whose envelope sender is
 * `ceilingFrom`) with dkimpy: smtp-sink wrote them with LF line ends and its own headers in front
 * (X-Client-Addr…, Received), which no signature covers; CRLF line ends are put back.
 */
export async function verifySample(keep: string, dkim: DkimConfig, n: number, ceilingFrom: string, verifier: string) {
  const folder = join(keep, 'sample');
  mkdirSync(folder, { recursive: true });
  let sampled = 0;
  for (const f of readdirSync(keep)) {
    if (sampled >= n || f === 'sample') continue;
    const text = readFileSync(join(keep, f), 'latin1');
    if (text.includes(`X-Mail-Args: <${ceilingFrom}>`) || !/^DKIM-Signature:/im.test(text)) continue;
    writeFileSync(join(folder, `${f}.eml`), Buffer.from(text.replace(/\n$/, '').replace(/\r?\n/g, '\r\n'), 'latin1'));
    sampled++;
  }
  const records = join(keep, 'records.json');
  writeFileSync(records, JSON.stringify(Object.fromEntries(dkimRecords(dkim).map((r) => [r.name, r.value]))));
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [verifier, records, folder], { maxBuffer: 64 << 20 });
  const r = JSON.parse(stdout) as { messages: number; signatures: number; passed: number; failed: string[]; algorithms: Record<string, number> };
  return { sampled, signatures: r.signatures, passed: r.passed, failed: r.failed.length, algorithms: r.algorithms };
}

/** Resolves once something accepts connections on the port (a sink just started), within 10 s. */
export async function listening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((res) => {
      const c = connect(port, '127.0.0.1', () => (c.destroy(), res(true)));
      c.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on port ${port}`);
}
