// npm run api: the HTTP half only; it produces jobs and never sends mail.
import { run } from './run.js';
import { serve } from '../runtime/serve.js';

await run(async (config) => (await serve(config, { api: true, worker: false })).close);
