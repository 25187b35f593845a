// npm run db:seed: loads seeds/papers.json idempotently (works while npm start runs).
import { seedPapers } from '../../runtime/seed.js';
import { createRuntime } from '../../runtime/index.js';
import { run } from '../run.js';

await run(async (config) => {
  const rt = await createRuntime(config, { command: true, say: (m) => console.log(m) });
  const r = await seedPapers(rt.repos.papers);
  console.log(`seed: ${r.total} papers, ${r.added} added, ${r.updated} already present (refreshed)`);
  await rt.close();
});
