// The worker thread's entry (plain JavaScript, so that Node loads it as is): tsx loads the TypeScript.
import { tsImport } from 'tsx/esm/api';

await tsImport('./vectorize-thread.ts', import.meta.url);
