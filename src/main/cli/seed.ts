// npm run db:seed: loads seeds/papers.json idempotently (works while npm start runs).
import { createPapersRepo } from '../../db/papers-repo.js';
import { seedPapers } from '../../db/seed.js';
import { openDatabase } from '../../runtime/index.js';
import { run } from '../run.js';

await run(async (config) => {
  const { database, embedded } = await openDatabase(config, (m) => console.log(m));
  const r = await seedPapers(createPapersRepo(database.db));
  console.log(`seed: ${r.total} papers, ${r.added} added, ${r.updated} already present (refreshed)`);
  await database.close();
  await embedded?.stop();
});
