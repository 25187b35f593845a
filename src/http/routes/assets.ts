import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
// altcha-lib's browser modules, served from our origin (the CSP runs no script from anywhere else).
const altchaDir = join(dirname(require.resolve('altcha-lib')), '..', '..', 'esm', 'v2');
const FILES: Record<string, string> = {
  '/assets/signup.js': new URL('../assets/signup.js', import.meta.url).pathname,
  '/assets/admin.js': new URL('../assets/admin.js', import.meta.url).pathname,
  '/assets/altcha/pow.js': join(altchaDir, 'pow.js'),
  '/assets/altcha/helpers.js': join(altchaDir, 'helpers.js'),
  '/assets/altcha/types.js': join(altchaDir, 'types.js'),
  '/assets/altcha/algorithms/web/sha.js': join(altchaDir, 'algorithms', 'web', 'sha.js'),
};

/** The few scripts the pages use: a fixed list, read once at start. */
export async function assetRoutes(app: FastifyInstance) {
  for (const [path, file] of Object.entries(FILES)) {
    const body = readFileSync(file);
    app.get(path, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(body));
  }
}
