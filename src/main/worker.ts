// npm run worker: the sending half; run as many as you like against one Redis and one Postgres.
import { run } from './run.js';
import { serve } from '../runtime/serve.js';

await run(async (config) => (await serve(config, { api: false, worker: true })).close);
