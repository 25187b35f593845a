// npm start: API, worker and scheduler in one process, on embedded defaults unless configured otherwise.
import { run } from './run.js';
import { serve } from '../runtime/serve.js';

await run(async (config) => (await serve(config, { api: true, worker: true })).close);
