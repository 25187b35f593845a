// One-time conversion of the seed page into seeds/papers.json: npx tsx scripts/convert-seed.ts PAGE.txt
import { readFileSync, writeFileSync } from 'node:fs';
import { parseSeedPage } from '../src/sources/seed-page.js';

const [, , input = '../shared/seed/000_d989751e8c947954.txt'] = process.argv;
const page = parseSeedPage(readFileSync(input, 'utf8'));
const out = { source: 'Hugging Face Daily Papers page', dateLabel: page.dateLabel, papers: page.papers };
writeFileSync(new URL('../seeds/papers.json', import.meta.url), JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${page.papers.length} papers to seeds/papers.json`);
