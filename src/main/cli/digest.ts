// npm run digest -- --preview FILE [--frequency daily|weekly] [--email reader@example.org]
// Writes the digest the next edition would bring (to that reader: their topics, their size, never a paper
// they already had, their local date) as an HTML file, without sending or storing anything.
import { writeFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { localDay } from '../../domain/period.js';
import { readerList } from '../../domain/topics.js';
import { renderDigest } from '../../digest/render-digest.js';
import { POOL_SIZE } from '../../jobs/build-edition.js';
import { siteHost } from '../../mail/addresses.js';
import { openCliRuntime } from '../../runtime/index.js';
import { run } from '../run.js';
import { cliArgs, exitWith } from './args.js';

const USAGE = 'usage: npm run digest -- --preview FILE [--frequency daily|weekly] [--email reader@example.org]';

await run(async (config) => {
  const args = cliArgs({ preview: { type: 'string' }, frequency: { type: 'string', default: 'daily' }, email: { type: 'string' } } as const, USAGE);
  if (!args.preview) exitWith(`--preview FILE is required\n${USAGE}`);
  if (args.frequency !== 'daily' && args.frequency !== 'weekly') exitWith(`--frequency must be daily or weekly\n${USAGE}`);
  const frequency = args.frequency;

  const rt = await openCliRuntime(config);
  try {
    const now = new Date();
    const pool = await rt.repos.papers.selectPool({ days: config.digest.window[frequency], now }, POOL_SIZE);
    let topics: string[] = [];
    let size = config.digest.size;
    let received = new Set<string>();
    let zone = config.digest.tz;
    if (args.email) {
      const found = await rt.database.db.execute<{ id: number; topics: string[]; max_papers: number | null; timezone: string }>(
        sql`select id, topics, max_papers, timezone from subscribers where lower(email) = lower(${args.email})`,
      );
      const reader = found.rows[0];
      if (!reader) exitWith(`no subscriber ${args.email}`);
      topics = reader.topics;
      size = reader.max_papers ?? size;
      zone = reader.timezone;
      received = (await rt.repos.readers.received([Number(reader.id)], pool.map((p) => p.id))).get(Number(reader.id)) ?? new Set();
    }
    const list = readerList(pool, topics, received, size);
    const rendered = await renderDigest(list, { frequency, day: localDay(now, zone), siteHost: siteHost(config.publicUrl), web: { signupUrl: `${config.publicUrl}/` }, brand: config.brand });
    await writeFile(args.preview, rendered.html);
    console.log(`${args.preview}: "${rendered.subject}" with ${list.length} of ${pool.length} candidate papers${args.email ? ` for ${args.email}` : ''}${list.length ? '' : ' (nothing new: no digest would be sent)'}`);
  } finally {
    await rt.close();
  }
});
