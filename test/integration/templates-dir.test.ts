// TEMPLATES_DIR: an operator's template replaces the built-in one of the same name; a broken or unknown one
// stops the start with its file name and line, before anything is opened.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startStack, subscribeAndConfirm, waitForEdition, type Stack } from '../helpers/stack.js';

const root = new URL('../..', import.meta.url).pathname;
const builtIn = (name: string) => readFileSync(join(root, 'templates', name), 'utf8');
const startWith = (templatesDir: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/main/start.ts'], {
    cwd: root,
    env: { ...process.env, TEMPLATES_DIR: templatesDir, DATA_DIR: mkdtempSync(join(tmpdir(), 'papermail-tpl-')), PORT: '0', NODE_ENV: 'test', CI: '' },
    encoding: 'utf8',
    timeout: 60_000,
  });

describe('TEMPLATES_DIR', () => {
  let stack: Stack | undefined;
  afterAll(async () => stack?.close());

  it('refuses to start with a template MJML rejects, naming the file and the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'papermail-tpl-bad-'));
    const lines = builtIn('digest.mjml').split('\n');
    const at = lines.findIndex((l) => l.includes('<mj-column'));
    lines[at] = lines[at]!.replace('<mj-column', '<mj-column bogus="1"');
    writeFileSync(join(dir, 'digest.mjml'), lines.join('\n'));
    const r = startWith(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'digest.mjml')}: line ${at + 1}: <mj-column> Attribute bogus is illegal`);
  });

  it('refuses an unclosed Mustache section, a broken partial and a file that is no template', () => {
    const dir = mkdtempSync(join(tmpdir(), 'papermail-tpl-bad-'));
    writeFileSync(join(dir, 'welcome.txt'), 'Hello {{#name}} without an end\n');
    mkdirSync(join(dir, 'partials'));
    writeFileSync(join(dir, 'partials', 'head.mjml'), '<mj-head>\n  <mj-title>x</mj-title>\n  <mj-nonsense />\n</mj-head>\n');
    writeFileSync(join(dir, 'digset.mjml'), '<mjml></mjml>');
    const r = startWith(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${join(dir, 'welcome.txt')}: Unclosed section "name"`);
    expect(r.stderr).toMatch(new RegExp(`${join(dir, 'partials', 'head.mjml').replace(/[.]/g, '\\.')}: line 3: `));
    expect(r.stderr).toContain(`${join(dir, 'digset.mjml')}: not a template papermail has`);
  });

  it('refuses a digest text template that lists the papers twice, so that it cannot be rendered in parts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'papermail-tpl-parts-'));
    writeFileSync(join(dir, 'digest.txt'), `${builtIn('digest.txt')}\n{{#papers}}{{title}}{{/papers}}\n`);
    const r = startWith(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the digest cannot be rendered in parts: digest.txt: a digest template needs exactly one {{#papers}}');
  });

  it("uses an operator's digest template for every digest", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'papermail-tpl-good-'));
    cpSync(join(root, 'templates'), dir, { recursive: true });
    writeFileSync(join(dir, 'digest.mjml'), builtIn('digest.mjml').replace('Trending papers</mj-text>', 'Trending papers for the lab</mj-text>'));
    writeFileSync(join(dir, 'digest.txt'), builtIn('digest.txt').replace('Trending papers\n', 'Trending papers for the lab\n'));
    stack = await startStack('postgres', { TEMPLATES_DIR: dir });
    await subscribeAndConfirm(stack, 'lab@example.org');
    const { id } = (await (await stack.admin('/editions', { frequency: 'daily' })).json()) as { id: number };
    await waitForEdition(stack, id);
    const digest = stack.sink.to('lab@example.org').find((m) => /^Trending papers/.test(m.parsed.subject ?? ''))!;
    expect(digest.parsed.html).toContain('Trending papers for the lab');
    expect(digest.parsed.text).toContain('Trending papers for the lab');
  });
});
