// The service's log lines: a job's lines name the job, and no line holds a whole address.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inJob } from '../../../src/jobs/job-context.js';
import { createLogger } from '../../../src/runtime/logger.js';

describe('logger', () => {
  it('adds the queue and job id inside a job, and masks addresses in fields and messages', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk))), done()) });
    const log = createLogger('info', sink);
    log.info({ response: '550 5.1.1 <bob@example.org> unknown' }, 'outside');
    await inJob({ queue: 'send', jobId: 'send-7-1-500' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      log.warn('mail to carol@example.org rejected');
    });
    expect(lines[0]).toMatchObject({ response: '550 5.1.1 <b***@example.org> unknown', msg: 'outside' });
    expect(lines[0]).not.toHaveProperty('jobId');
    expect(lines[1]).toMatchObject({ queue: 'send', jobId: 'send-7-1-500', msg: 'mail to c***@example.org rejected' });
  });
});
