// npm run bounces -- (--mbox FILE | --dir FOLDER)
// Reads delivery-status notifications (RFC 3464) and ARF complaint reports (RFC 5965) from an mbox file
// or a folder of .eml files, records each bounce and complaint, and says what it did.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readReport, splitMbox } from '../../mail/dsn.js';
import { createRuntime } from '../../runtime/index.js';
import { run } from '../run.js';
import { cliArgs, exitWith } from './args.js';
import { progress } from './progress.js';

const USAGE = 'usage: npm run bounces -- (--mbox FILE | --dir FOLDER of .eml files)';

await run(async (config) => {
  const args = cliArgs({ mbox: { type: 'string' }, dir: { type: 'string' } } as const, USAGE);
  if (Boolean(args.mbox) === Boolean(args.dir)) exitWith(`give exactly one of --mbox or --dir\n${USAGE}`);
  let messages: { name: string; raw: string }[];
  try {
    if (args.mbox) messages = splitMbox(await readFile(args.mbox, 'utf8')).map((raw, i) => ({ name: `${args.mbox}#${i + 1}`, raw }));
    else {
      const files = (await readdir(args.dir!)).filter((f) => f.toLowerCase().endsWith('.eml')).sort();
      messages = await Promise.all(files.map(async (f) => ({ name: f, raw: await readFile(join(args.dir!, f), 'utf8') })));
    }
  } catch (err) {
    exitWith(`cannot read ${args.mbox ?? args.dir}: ${(err as Error).message}`);
  }

  const rt = await createRuntime(config, { command: true });
  const counts = { messages: messages.length, suppressed: 0, counted: 0, ignored: 0 };
  const bar = progress('bounces', messages.length);
  try {
    for (const m of messages) {
      bar.tick();
      // One unreadable message is reported and skipped; it never stops the others.
      const reading = await readReport(m.raw).catch((err: Error) => ({ events: [], note: `unreadable: ${err.message}` }));
      if (!reading.events.length) {
        counts.ignored++;
        bar.log(`${m.name}: nothing taken (${reading.note ?? 'no event'})`);
        continue;
      }
      for (const e of reading.events) {
        // The worker's recovery sweep holds each complaint's edition against the complaint-rate guard.
        const { outcome } = await rt.repos.suppressions.record(e, config.bounces.softLimit);
        counts[outcome]++;
        bar.log(`${m.name}: ${e.kind} ${e.kind === 'complaint' ? 'complaint' : 'bounce'} for ${e.email}: ${outcome}${e.detail ? ` (${e.detail})` : ''}`);
      }
    }
    bar.stop();
    console.log(`${counts.messages} messages: ${counts.suppressed} addresses suppressed, ${counts.counted} soft bounces counted, ${counts.ignored} messages without a bounce or complaint`);
  } finally {
    await rt.close();
  }
});
