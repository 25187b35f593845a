// npm run db:migrate: applies migrations/ to DATABASE_URL, or to the embedded Postgres of DATA_DIR.
import { createRuntime } from '../../runtime/index.js';
import { run } from '../run.js';

await run(async (config) => {
  const rt = await createRuntime(config, { command: true, say: (m) => console.log(m) });
  console.log('migrations applied');
  await rt.close();
});
