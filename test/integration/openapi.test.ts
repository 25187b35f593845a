// The API description: /openapi.json lists every route with its request and answer schemas, and /docs
// serves a reference UI under the site's CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack('postgres', { WEBHOOK_SECRET: 'webhook-secret-0123456789', METRICS_TOKEN: 'metrics-token-0123456789' });
});
afterAll(async () => stack?.close());

type Operation = { summary?: string; tags?: string[]; responses?: Record<string, unknown>; requestBody?: unknown; parameters?: { in: string; name: string }[] };

describe('OpenAPI', () => {
  it('describes every route, with its parameters, body and answers', async () => {
    const res = await stack.http('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; info: { title: string }; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toBe('3.0.3');
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as const));
    // Every route the server has is in the document, but the internal ones: buildApp refuses to start otherwise
    // (the next test checks that refusal, and that each documented operation is a route).
    expect(operations.length).toBeGreaterThanOrEqual(60);
    for (const [key, op] of operations) {
      expect(op.summary, key).toBeTruthy();
      expect(Object.keys(op.responses ?? {}).length, key).toBeGreaterThan(0);
      if (key.includes('{token}')) expect(op.parameters?.map((p) => `${p.in}:${p.name}`), key).toContain('path:token');
      if (['POST /subscribe', 'POST /preferences/{token}', 'POST /api/webhooks/bounces'].includes(key)) expect(op.requestBody, key).toBeTruthy();
    }
    // Internal routes are not part of the API.
    expect(Object.keys(doc.paths).filter((p) => /^\/(assets|dev|docs|admin\/queues)/.test(p))).toEqual([]);
    // The console is described too: its forms name their CSRF field and its pages the session cookie.
    const consoleOps = operations.filter(([k]) => / \/admin(\/|$)/.test(k));
    expect(consoleOps.length).toBeGreaterThanOrEqual(20);
    for (const [key, op] of consoleOps.filter(([k]) => k.startsWith('POST') && !k.includes('import'))) expect(JSON.stringify(op.requestBody), key).toContain('_csrf');
  });

  it('matches the routes the server answers: every registered route is described or internal', async () => {
    const app = stack.served.app!;
    const listed = app.printRoutes({ commonPrefix: false });
    expect(listed).toContain('/admin/editions');
    const { undocumented } = await import('../../src/http/openapi.js');
    expect(undocumented([{ method: 'GET', url: '/admin/new-page' }])).toEqual(['GET /admin/new-page']);
    expect(undocumented([{ method: 'GET', url: '/admin/new-page', schema: { summary: 'A new page' } }])).toEqual([]);
    expect(undocumented([{ method: ['GET', 'HEAD'], url: '/admin/queues/api/queues' }, { method: 'GET', url: '/assets/signup.js' }])).toEqual([]);
    // Each documented operation is a route this server has.
    const res = await stack.http('/openapi.json');
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(doc.paths))
      for (const method of Object.keys(ops)) expect(app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
  });

  it('is valid OpenAPI: swagger-cli validate and redocly lint (recommended rules) find no error', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'papermail-openapi-')), 'openapi.json');
    writeFileSync(file, await (await stack.http('/openapi.json')).text());
    const run = promisify(execFile);
    const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
    const swagger = await run(bin('swagger-cli'), ['validate', file]).catch((err: { stdout: string; stderr: string }) => err);
    expect(`${swagger.stdout}${swagger.stderr}`).toMatch(/is valid/);
    const redocly = await run(bin('redocly'), ['lint', '--extends=recommended', '--format=json', file], { maxBuffer: 16 * 1024 * 1024 }).catch((err: { stdout: string; stderr: string }) => err);
    const problems = (JSON.parse(redocly.stdout) as { problems: { severity: string; ruleId: string; message: string }[] }).problems;
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
  });

  it('serves the reference UI at /docs', async () => {
    const res = await stack.http('/docs/', { redirect: 'follow' });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/swagger/i);
  });
});
