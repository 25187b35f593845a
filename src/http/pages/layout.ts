import { DEFAULT_BRAND, type Brand } from '../../domain/brand.js';
import { escapeHtml } from '../../domain/html.js';

/** Escapes text for HTML element content and attribute values (the one escaper, domain/html.ts). */
const esc = escapeHtml;

/** Marks a string as already-safe HTML. */
export interface Html {
  readonly html: string;
}
export const raw = (html: string): Html => ({ html });

/** A tagged template that escapes every interpolated value unless it is Html (or an array of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    const part = Array.isArray(v) ? v.map((x) => (isHtml(x) ? x.html : esc(x))).join('') : isHtml(v) ? v.html : esc(v);
    out += part + strings[i + 1]!;
  });
  return raw(out);
}
const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && 'html' in v;

const STYLE = `
:root{color-scheme:light;--fg:#1f2328;--muted:#59636e;--accent:#0b57d0;--bg:#f4f5f7;--card:#fff;--bad:#b3261e}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{padding:0 1rem}
.wrap{max-width:34rem;margin:0 auto;padding:1rem 0 2rem}
.masthead{padding:.5rem 1rem 1rem;font-weight:700;font-size:1.1rem}.masthead a{color:var(--fg);text-decoration:none}.masthead img{display:block;max-height:32px;width:auto}
footer.site{padding:1.5rem 1rem 0;color:var(--muted);font-size:.85rem;text-align:center}
.card{background:var(--card);border-radius:10px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.6rem;line-height:1.25;margin:0 0 .5rem}
p{margin:.5rem 0 1rem}
.muted{color:var(--muted);font-size:.9rem}
label{display:block;font-weight:600;margin:1rem 0 .35rem}
input[type=email],input[type=text],input[type=number],select{width:100%;font:inherit;padding:.7rem .8rem;border:1px solid #c4c9d0;border-radius:8px;background:#fff}
input[type=number],select{max-width:10rem}
fieldset{border:0;padding:0;margin:1rem 0}
legend{font-weight:600;margin-bottom:.35rem}
.choice{display:flex;gap:.5rem;align-items:center;font-weight:400;margin:.4rem 0}
button{font:inherit;font-weight:600;background:var(--accent);color:#fff;border:0;border-radius:8px;padding:.75rem 1.2rem;cursor:pointer;min-height:44px}
button.secondary{background:#fff;color:var(--accent);border:1px solid var(--accent)}
.error{color:var(--bad);font-weight:600}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
a{color:var(--accent)}
table{width:100%;border-collapse:collapse;font-size:.9rem}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
form.inline{display:inline-block;margin:.25rem .25rem .25rem 0}
ul.papers,ol.papers{padding-left:1.2rem}ul.papers li,ol.papers li{margin:.6rem 0}
pre{white-space:pre-wrap;word-break:break-word;background:#fff;padding:1rem;border-radius:8px;font-size:.85rem}
`;

/** The newsletter as every page shows it (NEWSLETTER_NAME and friends). */
export type Site = Pick<Brand, 'name' | 'accent' | 'logoUrl' | 'footer'>;

/**
 * A page before its layout. The layout (the newsletter's name, colour, logo and footer) is the app's: it is
 * added when the page is sent (respond.ts), so that no page function needs to know the brand.
 */
export interface Page {
  readonly title: string;
  readonly body: Html;
  readonly wide: boolean;
}

export const page = (title: string, body: Html, opts: { wide?: boolean } = {}): Page => ({ title, body, wide: Boolean(opts.wide) });

/** Wraps page content in the site layout: a masthead and a footer with the way home, readable on a phone, no JavaScript needed. */
export function renderPage(site: Site, p: Page): string {
  const home = site.logoUrl ? html`<img src="${site.logoUrl}" alt="${site.name}" height="32">` : html`${site.name}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(p.title)} · ${esc(site.name)}</title>
<style>${STYLE}:root{--accent:${/^#[0-9a-f]{6}$/i.test(site.accent) ? site.accent : DEFAULT_BRAND.accent}}${p.wide ? '.wrap{max-width:64rem}' : ''}</style>
</head>
<body><div class="wrap">
<header class="masthead"><a href="/">${home.html}</a></header>
<main>${p.body.html}</main>
<footer class="site"><a href="/">Subscribe</a> · <a href="/archive">Past editions</a>${site.footer ? html`<br>${site.footer}`.html : ''}</footer>
</div></body>
</html>`;
}

/** A small page with a heading and a message, for results and errors. */
export function messagePage(title: string, message: Html | string, extra: Html = raw('')): Page {
  const body = typeof message === 'string' ? html`<p>${message}</p>` : message;
  return page(title, html`<div class="card"><h1>${title}</h1>${body}${extra}</div>`);
}
