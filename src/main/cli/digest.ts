// npm run digest -- --preview FILE [--frequency daily|weekly] [--email reader@example.org]
// Writes the digest the next edition would bring (to that reader: their topics, their size, never a paper
// they already had, their local date) as an HTML file, without sending or storing anything.
import { writeFile } from 'node:fs/promises';
import { previewDigest } from '../../runtime/preview-digest.js';
import { createRuntime } from '../../runtime/index.js';
import { run } from '../run.js';
import { cliArgs, exitWith } from './args.js';

const USAGE = 'usage: npm run digest -- --preview FILE [--frequency daily|weekly] [--email reader@example.org]';

await run(async (config) => {
  const args = cliArgs({ preview: { type: 'string' }, frequency: { type: 'string', default: 'daily' }, email: { type: 'string' } } as const, USAGE);
  if (!args.preview) exitWith(`--preview FILE is required\n${USAGE}`);
  if (args.frequency !== 'daily' && args.frequency !== 'weekly') exitWith(`--frequency must be daily or weekly\n${USAGE}`);

  const rt = await createRuntime(config, { command: true });
  try {
    const preview = await previewDigest(rt, { frequency: args.frequency, email: args.email });
    if (!preview.ok) exitWith(preview.error.replace(/^No subscriber/, 'no subscriber').replace(/\.$/, ''));
    await writeFile(args.preview, preview.html);
    console.log(
      `${args.preview}: "${preview.subject}" with ${preview.papers} of ${preview.pool} candidate papers${args.email ? ` for ${args.email}` : ''}${preview.papers ? '' : ' (nothing new: no digest would be sent)'}`,
    );
  } finally {
    await rt.close();
  }
});
