import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import mjml2html from 'mjml';
import { escapeHtml } from '../domain/html.js';
import Mustache from 'mustache';

const dir = new URL('../../templates/', import.meta.url);

const filesUnder = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'));

/** Names of the templates papermail has (digest.mjml, partials/head.mjml, confirm.txt, ...). */
const TEMPLATE_NAMES: readonly string[] = filesUnder(new URL('.', dir).pathname).sort();

/** Template sources by name (digest.mjml, partials/head.mjml, …), read once and never changed. */
type Sources = Readonly<Record<string, string>>;

/** The templates papermail renders with: the built-in ones, or those with an operator's overrides. */
export interface Templates {
  /** Renders NAME.mjml with a view, then MJML to HTML: the expensive step, done once per message kind (a digest: once per edition, in blocks, when `blocks` is set). */
  renderMjml(name: string, view: object, opts?: { blocks?: boolean }): Promise<string>;
  /** Renders NAME.txt, the plain-text part, without HTML escaping. */
  renderText(name: string, view: object, opts?: { blocks?: boolean }): string;
}

const BUILT_IN_SOURCES: Sources = Object.freeze(Object.fromEntries(TEMPLATE_NAMES.map((name) => [name, readFileSync(new URL(name, dir), 'utf8')])));

// Partials stand in for one line while a template is checked, so that the line numbers are the file's own;
// a partial is checked inside the smallest document that can hold it, one line down.
const PARTIAL_STANDINS: Record<string, string> = { head: '<mj-head></mj-head>', preheader: '' };
const WRAP: Record<string, [string, string]> = { 'partials/head.mjml': ['<mjml>', '<mj-body></mj-body></mjml>'], 'partials/preheader.mjml': ['<mjml><mj-body>', '</mj-body></mjml>'] };

/**
 * Uses TEMPLATES_DIR's files in place of the built-in templates, after checking each: it must be a template
 * papermail has, parse as Mustache, and (for MJML) pass MJML's strict validation. A broken one throws an error
 * naming its file and line, so the service does not start with it.
 */
export async function loadTemplates(root: string): Promise<{ templates: Templates; names: string[] }> {
  const abs = resolve(root);
  if (!existsSync(abs)) throw new Error(`TEMPLATES_DIR ${root} does not exist`);
  const names = filesUnder(abs);
  const problems: string[] = [];
  for (const name of names) {
    const where = `${join(root, name)}`;
    if (!TEMPLATE_NAMES.includes(name)) {
      problems.push(`${where}: not a template papermail has (it has ${TEMPLATE_NAMES.join(', ')})`);
      continue;
    }
    const source = readFileSync(join(abs, name), 'utf8');
    try {
      Mustache.parse(source);
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!name.endsWith('.mjml')) continue;
    const [before, after] = WRAP[name] ?? ['', ''];
    const doc = `${before}${before ? '\n' : ''}${source.replace(/\{\{>\s*(\w+)\s*\}\}/g, (_m, p: string) => PARTIAL_STANDINS[p] ?? '')}\n${after}`;
    const shift = before ? 1 : 0;
    let errors: { line: number; message: string; tagName: string }[] = [];
    try {
      errors = (await mjml2html(doc, { validationLevel: 'soft' })).errors;
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    // A {{value}} in a typed attribute (a colour, a URL) is filled at render time: only the rest is the file's fault.
    for (const e of errors.filter((x) => !x.message.includes('{{'))) problems.push(`${where}: line ${e.line - shift}: <${e.tagName}> ${e.message}`);
  }
  if (problems.length) throw new Error(`TEMPLATES_DIR has templates that cannot be used:\n  ${problems.join('\n  ')}`);
  const own = Object.fromEntries(names.map((name) => [name, readFileSync(join(abs, name), 'utf8')]));
  return { templates: templatesOf(Object.freeze({ ...BUILT_IN_SOURCES, ...own })), names };
}


/** The marks around each entry of a `{{#papers}}` section when a digest is rendered in blocks (digest-parts.ts). */
export const BLOCK_START = 'pmvblockstart';
export const BLOCK_END = 'pmvblockend';

/** A template with each entry of its `{{#papers}}` section between the block marks (mj-raw in MJML). */
function withBlockMarks(source: string, name: string, mjml: boolean): string {
  const open = source.split('{{#papers}}').length - 1;
  const close = source.split('{{/papers}}').length - 1;
  if (open !== 1 || close !== 1) throw new Error(`${name}: a digest template needs exactly one {{#papers}} … {{/papers}} section (it has ${open} and ${close})`);
  const [start, end] = mjml ? [`<mj-raw>${BLOCK_START}</mj-raw>`, `<mj-raw>${BLOCK_END}</mj-raw>`] : [BLOCK_START, BLOCK_END];
  return source.replace('{{#papers}}', `{{#papers}}${start}`).replace('{{/papers}}', `${end}{{/papers}}`);
}

/** Templates over these sources. */
function templatesOf(sources: Sources): Templates {
  const source = (name: string) => {
    const t = sources[name];
    if (t === undefined) throw new Error(`no template ${name}`);
    return t;
  };
  return {
    async renderMjml(name, view, opts = {}) {
      const partials = { head: source('partials/head.mjml'), preheader: source('partials/preheader.mjml') };
      const template = opts.blocks ? withBlockMarks(source(`${name}.mjml`), `${name}.mjml`, true) : source(`${name}.mjml`);
      const out = await mjml2html(Mustache.render(template, view, partials, { escape: escapeHtml }), { validationLevel: 'strict', keepComments: false });
      return out.html;
    },
    renderText(name, view, opts = {}) {
      const template = opts.blocks ? withBlockMarks(source(`${name}.txt`), `${name}.txt`, false) : source(`${name}.txt`);
      const text = Mustache.render(template, view, {}, { escape: (v: unknown) => String(v) });
      return text.replace(/\n{3,}/g, '\n\n').trim() + '\n';
    },
  };
}

/** papermail's own templates (templates/). */
export const BUILT_IN_TEMPLATES: Templates = templatesOf(BUILT_IN_SOURCES);
