// npm run db:migrate: applies migrations/ to DATABASE_URL, or to the embedded Postgres of DATA_DIR.
import { openDatabase } from '../../runtime/index.js';
import { run } from '../run.js';

await run(async (config) => {
  const { database, embedded } = await openDatabase(config, (m) => console.log(m));
  console.log('migrations applied');
  await database.close();
  await embedded?.stop();
});
