import { readFileSync } from 'node:fs';
import mjml2html from 'mjml';
import Mustache from 'mustache';

const dir = new URL('../../templates/', import.meta.url);
const cache = new Map<string, string>();

/** Reads a file from templates/ once per process. */
export function loadTemplate(name: string): string {
  let t = cache.get(name);
  if (t === undefined) {
    t = readFileSync(new URL(name, dir), 'utf8');
    cache.set(name, t);
  }
  return t;
}

// Mustache's default also escapes "/" and "=", which would break URLs and the per-reader slots.
const escapeHtml = (v: unknown) =>
  String(v).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Renders templates/NAME.mjml with a view, then MJML to HTML: the expensive step, done once per message kind. */
export async function renderMjml(name: string, view: object): Promise<string> {
  const partials = { head: loadTemplate('partials/head.mjml'), preheader: loadTemplate('partials/preheader.mjml') };
  const source = Mustache.render(loadTemplate(`${name}.mjml`), view, partials, { escape: escapeHtml });
  const out = await mjml2html(source, { validationLevel: 'strict', keepComments: false });
  return out.html;
}

/** Renders templates/NAME.txt, the plain-text part, without HTML escaping. */
export function renderText(name: string, view: object): string {
  const text = Mustache.render(loadTemplate(`${name}.txt`), view, {}, { escape: (v: unknown) => String(v) });
  return text.replace(/\n{3,}/g, '\n\n').trim() + '\n';
}
