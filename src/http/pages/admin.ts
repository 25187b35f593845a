import { html, page, raw, type Html, type Page } from './layout.js';

// The operator's console: server-rendered pages, one small script (the live progress bar), every form a POST
// with its CSRF token. Each page repeats the navigation; the queue dashboard is bull-board's own.

const STYLE = raw(`<style>
.admin-nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;margin:0 0 1rem;padding:.5rem 0;border-bottom:1px solid #e3e6ea}
.admin-nav a{font-weight:600;text-decoration:none;padding:.5rem 0;display:inline-block}.admin-nav a[aria-current]{color:var(--fg)}
.admin-nav form{margin:0 0 0 auto}.admin-nav button{min-height:36px;padding:.35rem .8rem}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(8rem,1fr));gap:.75rem;margin:0 0 1rem}
.stat{background:var(--card);border-radius:8px;padding:.75rem;box-shadow:0 1px 2px rgba(0,0,0,.06)}.stat b{display:block;font-size:1.4rem}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0 1rem}.row label{margin:0}.row input[type=text],.row select{width:auto;min-width:10rem}.row .choice{margin:0}
.scroll{overflow-x:auto}progress{width:100%;height:1.2rem}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:999px;background:#eef1f4;font-size:.8rem}
.badge.paused,.badge.failed,.badge.suppressed{background:#fde7e6;color:var(--bad)}.badge.sent,.badge.active{background:#e6f4ea;color:#1e6b34}
td form{margin:0}td button{min-height:32px;padding:.25rem .7rem}
.notice{background:#fff8e1;border-radius:8px;padding:.75rem 1rem}
.banner{background:#fde7e6;color:var(--bad);border-radius:8px;padding:.5rem 1rem;margin:0 0 1rem}.banner ul{margin:.25rem 0;padding-left:1.2rem}
</style>`);

type Section = 'overview' | 'editions' | 'subscribers' | 'suppressions' | 'papers' | 'queues';
const SECTIONS: [Section, string, string][] = [
  ['overview', 'Overview', '/admin'],
  ['editions', 'Editions', '/admin/editions'],
  ['subscribers', 'Subscribers', '/admin/subscribers'],
  ['suppressions', 'Suppressions', '/admin/suppressions'],
  ['papers', 'Papers', '/admin/papers'],
  ['queues', 'Queues', '/admin/queues'],
];

/** A hidden CSRF field; every console form carries one. */
export const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

/** A one-button form that posts to `action`. */
export function postButton(action: string, label: string, csrf: string, fields: Record<string, string> = {}, secondary = false): Html {
  const hidden = Object.entries(fields).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}">`);
  return html`<form method="post" action="${action}">${csrfField(csrf)}${hidden}<button type="submit"${secondary ? raw(' class="secondary"') : raw('')}>${label}</button></form>`;
}

/** An edition paused now, as the console's banner tells of it. */
export interface PausedView {
  id: number;
  frequency: string;
  period: string;
  reason: string | null;
  kind: string | null;
  nextProbeAt: Date | null;
}

/** What every console page carries: the form token, and the editions paused now (the banner). */
export interface ConsoleContext {
  csrf: string;
  paused: PausedView[];
}

/** Tells of each paused edition on every page: why, and when the breaker probes next (or that a person must resume it). */
function pausedBanner(paused: PausedView[]): Html {
  if (!paused.length) return html``;
  const items = paused.map(
    (p) => html`<li><a href="/admin/editions/${p.id}">Edition #${p.id}</a> (${p.frequency} ${p.period}) is paused${p.reason ? html`: ${p.reason}` : ''}. ${
      p.kind === 'breaker'
        ? p.nextProbeAt
          ? html`The breaker probes the relay at ${fmt(p.nextProbeAt)}; it resumes by itself once a probe passes.`
          : html`The breaker probes the relay at its next sweep.`
        : html`Paused by ${p.kind === 'complaints' ? 'the complaint guard' : 'an operator'}: it waits for you to resume it.`
    }</li>`,
  );
  return html`<div class="banner" role="alert"><ul>${items}</ul></div>`;
}

/** A console page: the navigation, a heading, the paused editions' banner, an optional notice, and the content. */
export function adminPage(section: Section, title: string, c: ConsoleContext, body: Html, notice?: string): Page {
  const nav = SECTIONS.map(([key, label, href]) => html`<a href="${href}"${key === section ? raw(' aria-current="page"') : raw('')}>${label}</a>`);
  return page(
    `${title} · Admin`,
    html`${STYLE}<nav class="admin-nav" aria-label="Console">${nav}<form method="post" action="/admin/sign-out">${csrfField(c.csrf)}<button type="submit" class="secondary">Sign out</button></form></nav>
${pausedBanner(c.paused)}<h1>${title}</h1>${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}${body}`,
    { wide: true },
  );
}

export function signInPage(csrf: string, error?: string): Page {
  return page(
    'Sign in · Admin',
    html`<div class="card"><h1>Console sign-in</h1>
<p class="muted">Use the admin token (<code>ADMIN_TOKEN</code>; on a first start without one, <code>npm start</code> printed it).</p>
${error ? html`<p class="error" role="alert">${error}</p>` : ''}
<form method="post" action="/admin/sign-in">${csrfField(csrf)}
<label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" required maxlength="500">
<p><button type="submit">Sign in</button></p></form></div>`,
  );
}

export const fmt = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '–');
export const badge = (status: string, live?: string) => html`<span class="badge ${status}"${live ? html` data-count="${live}"` : ''}>${status}</span>`;
