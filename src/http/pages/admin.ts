import type { EditionStats } from '../../domain/edition.js';
import type { Paper } from '../../domain/paper.js';
import type { SuppressionRow } from '../../domain/bounces.js';
import type { Subscriber } from '../../domain/reader.js';
import { describeSchedule } from '../../domain/preferences.js';
import type { ImportReport } from '../admin-port.js';
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
const csrfField = (csrf: string) => html`<input type="hidden" name="_csrf" value="${csrf}">`;

/** A one-button form that posts to `action`. */
function postButton(action: string, label: string, csrf: string, fields: Record<string, string> = {}, secondary = false): Html {
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
function adminPage(section: Section, title: string, c: ConsoleContext, body: Html, notice?: string): Page {
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

const fmt = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : '–');
const badge = (status: string, live?: string) => html`<span class="badge ${status}"${live ? html` data-count="${live}"` : ''}>${status}</span>`;
const done = (s: EditionStats) => s.sent + s.failed;

function editionsTable(list: EditionStats[]): Html {
  if (!list.length) return html`<p class="muted">No edition yet. Send one now from the overview.</p>`;
  const rows = list.map(
    (e) => html`<tr><td><a href="/admin/editions/${e.id}">#${e.id}</a></td><td>${e.frequency}</td><td>${e.period}</td><td>${badge(e.status)}</td>
<td>${done(e)} / ${e.recipients}</td><td>${e.failed}</td><td>${fmt(e.createdAt)}</td></tr>`,
  );
  return html`<div class="scroll"><table><thead><tr><th>Edition</th><th>Frequency</th><th>Period</th><th>Status</th><th>Done</th><th>Failed</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function overviewPage(c: ConsoleContext, o: { subscribers: Record<string, number>; papers: number; editions: EditionStats[] }, notice?: string): Page {
  const { csrf } = c;
  const stats = Object.entries(o.subscribers).map(([k, n]) => html`<div class="stat"><b>${n}</b>${k}</div>`);
  const send = (['daily', 'weekly'] as const).map(
    (f) => html`<form method="post" action="/admin/editions" class="row">${csrfField(csrf)}<input type="hidden" name="frequency" value="${f}">
<button type="submit">Send the ${f} edition now</button><label class="choice"><input type="checkbox" name="force" value="true"> as an extra edition</label>
<a href="/admin/preview?frequency=${f}">Preview the next ${f} digest</a></form>`,
  );
  return adminPage(
    'overview',
    'Overview',
    c,
    html`<div class="stats">${stats}<div class="stat"><b>${o.papers}</b>papers</div></div>
<h2>Send</h2><p class="muted">Sending now gives every confirmed reader who has not had this period's edition their digest; the schedule moves on for them.</p>${send}
<h2>Latest editions</h2>${editionsTable(o.editions)}<p><a href="/admin/editions">All editions</a></p>
<h2>Sessions</h2><p class="muted">Signed in somewhere you should not be, or on a shared machine? This signs out every console session, this one too.</p>
${postButton('/admin/sessions/end-all', 'End all console sessions', csrf, {}, true)}`,
    notice,
  );
}

export function editionsPage(c: ConsoleContext, list: EditionStats[], older: number | null): Page {
  return adminPage('editions', 'Editions', c, html`${editionsTable(list)}${older ? html`<p><a href="/admin/editions?before=${older}">Older editions</a></p>` : ''}`);
}

/** An edition's ledger as the edition page shows it (admin-operations.ts ledger). */
export interface LedgerView {
  target: number;
  sent: number;
  failed: number;
  skipped: number;
  suppressed: number;
  unsubscribed: number;
  erased: number;
  open: number;
  missing: number;
  balanced: boolean;
}

function ledgerTable(l: LedgerView): Html {
  const rows: [string, number, string][] = [
    ['Sent', l.sent, ''],
    ['Failed', l.failed, 'refused for good, or out of attempts; "Resend failed" tries them again'],
    ['Skipped', l.skipped, 'nothing new for them this time'],
    ['Suppressed since', l.suppressed, 'their address bounced or complained after the edition gave them a row'],
    ['Unsubscribed since', l.unsubscribed, 'left or paused their digests after the edition gave them a row'],
    ['Erased since', l.erased, 'erased their data'],
    ['Still open', l.open, 'queued or being sent'],
  ];
  return html`<h2>Ledger</h2><table class="ledger"><tbody>${rows.map(([k, n, why]) => html`<tr><th>${k}</th><td>${n}</td><td class="muted">${why}</td></tr>`)}
<tr><th>Target</th><td><strong>${l.target}</strong></td><td class="muted">${
    l.balanced
      ? 'every reader it targets, accounted for'
      : l.missing
        ? html`<span class="error">${l.missing} reader(s) it targets have no row yet</span>`
        : 'accounted for once nothing is open'
  }</td></tr></tbody></table>`;
}

export function editionPage(
  c: ConsoleContext,
  e: EditionStats,
  pool: Paper[],
  failures: { answer: string; count: number; example: string }[],
  more: { ledger: LedgerView | null; probe: PausedView | null },
  notice?: string,
): Page {
  const { csrf } = c;
  const live = ['pending', 'assigning', 'sending'].includes(e.status);
  const counts = (['recipients', 'queued', 'sending', 'sent', 'failed', 'skipped', 'renders'] as const).map(
    (k) => html`<div class="stat"><b data-count="${k}">${e[k]}</b>${k}</div>`,
  );
  const actions: Html[] = [];
  if (e.status === 'paused') actions.push(postButton(`/admin/editions/${e.id}/resume`, 'Resume sending', csrf));
  if (e.status === 'assigning' || e.status === 'sending') actions.push(postButton(`/admin/editions/${e.id}/pause`, 'Pause sending', csrf, {}, true));
  if (e.failed > 0) actions.push(postButton(`/admin/editions/${e.id}/resend-failed`, 'Resend failed', csrf, {}, true));
  const failureRows = failures.map((f) => html`<tr><td><code>${f.answer}</code></td><td>${f.count}</td><td>${f.example}</td></tr>`);
  const poolRows = pool.map((p, i) => html`<li value="${i + 1}">${p.title} <span class="muted">(${p.sources.join(', ') || p.source})</span></li>`);
  return adminPage(
    'editions',
    `Edition #${e.id}: ${e.frequency} ${e.period}`,
    c,
    html`<p>Status: ${badge(e.status, 'status')}${e.note ? html` · ${e.note}` : ''}</p>
${e.pausedReason ? html`<p class="error">Paused: ${e.pausedReason}</p>` : ''}
${
  more.probe?.kind === 'breaker'
    ? html`<p>The fault is ours, not the readers': nobody was suppressed for it. The breaker probes the relay${more.probe.nextProbeAt ? html` at <strong>${fmt(more.probe.nextProbeAt)}</strong>` : ''} (an SMTP login, then a few real messages) and resumes by itself once a probe passes; each failed probe doubles the wait, up to 30 minutes.</p>`
    : ''
}
<div id="progress" data-url="/admin/editions/${e.id}/progress" data-live="${live ? 'yes' : 'no'}" data-status="${e.status}">
<progress value="${done(e)}" max="${Math.max(e.recipients, 1)}" aria-label="Sent so far">${done(e)} of ${e.recipients}</progress>
<p class="muted"><span data-count="done">${done(e)}</span> of <span data-count="recipients">${e.recipients}</span> readers have a final row${live ? ' (updates live)' : ''}.</p></div>
<div class="stats">${counts}</div>
<div class="row">${actions}<a href="/admin/preview?frequency=${e.frequency}">Preview the next ${e.frequency} digest</a></div>
${more.ledger ? ledgerTable(more.ledger) : ''}
<h2>Failures by answer</h2>${failures.length ? html`<div class="scroll"><table><thead><tr><th>Server answer</th><th>Readers</th><th>For example</th></tr></thead><tbody>${failureRows}</tbody></table></div>` : html`<p class="muted">No failure.</p>`}
<h2>Pool</h2>${pool.length ? html`<ol>${poolRows}</ol>` : html`<p class="muted">No pool yet.</p>`}
<script src="/assets/admin.js" defer></script>`,
    notice,
  );
}

export function subscribersPage(c: ConsoleContext, q: { search?: string; status?: string }, list: Subscriber[], next: number | null): Page {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => Boolean(e[1])));
  const statuses = ['', 'pending', 'active', 'unsubscribed', 'suppressed'].map(
    (s) => html`<option value="${s}"${q.status === s ? raw(' selected') : raw('')}>${s || 'any status'}</option>`,
  );
  const rows = list.map(
    (s) => html`<tr><td><a href="/admin/subscribers/${s.id}">${s.email}</a></td><td>${badge(s.status)}</td><td>${s.frequency}</td><td>${s.topics.join(', ') || '–'}</td><td>${fmt(s.nextSendAt)}</td></tr>`,
  );
  const more = next ? new URLSearchParams([...params, ['after', String(next)]]) : null;
  return adminPage(
    'subscribers',
    'Subscribers',
    c,
    html`<form method="get" action="/admin/subscribers" class="row" role="search"><label>Address contains <input type="text" name="search" value="${q.search ?? ''}" maxlength="320"></label>
<label>Status <select name="status">${statuses}</select></label><button type="submit">Search</button></form>
<p><a href="/admin/subscribers.csv?${params.toString()}">Export these as CSV</a> · <a href="/admin/import">Import from CSV</a></p>
${list.length ? html`<div class="scroll"><table><thead><tr><th>Address</th><th>Status</th><th>Frequency</th><th>Topics</th><th>Next digest</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="muted">Nobody matches.</p>`}
${more ? html`<p><a href="/admin/subscribers?${more.toString()}">Next page</a></p>` : ''}`,
  );
}

export function subscriberPage(c: ConsoleContext, s: Subscriber, deliveries: { editionId: number; frequency: string; period: string; status: string; attempts: number; sentAt: Date | null; lastResponse: string | null }[]): Page {
  const fields: [string, unknown][] = [
    ['Status', s.status],
    ['Frequency', s.frequency],
    ['Schedule', s.status === 'active' && s.frequency !== 'paused' ? describeSchedule(s) : '–'],
    ['Next digest', fmt(s.nextSendAt)],
    ['Topics', s.topics.join(', ') || 'all papers'],
    ['Papers per digest', s.maxPapers ?? 'default'],
    ['Signed up', fmt(s.createdAt)],
    ['Confirmed', fmt(s.confirmedAt)],
    ['Unsubscribed', fmt(s.unsubscribedAt)],
  ];
  const rows = deliveries.map(
    (d) => html`<tr><td><a href="/admin/editions/${d.editionId}">#${d.editionId}</a> ${d.frequency} ${d.period}</td><td>${badge(d.status)}</td><td>${d.attempts}</td><td>${fmt(d.sentAt)}</td><td><code>${d.lastResponse ?? ''}</code></td></tr>`,
  );
  return adminPage(
    'subscribers',
    s.email,
    c,
    html`<table>${fields.map(([k, v]) => html`<tr><th>${k}</th><td>${String(v)}</td></tr>`)}</table>
<h2>Deliveries</h2>${deliveries.length ? html`<div class="scroll"><table><thead><tr><th>Edition</th><th>Status</th><th>Attempts</th><th>Sent</th><th>Last answer</th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="muted">None yet.</p>`}`,
  );
}

export function importPage(c: ConsoleContext, report?: ImportReport, error?: string): Page {
  const { csrf } = c;
  const result = report
    ? html`<div class="notice" role="status"><p><strong>${report.mode === 'consented' ? `${report.imported} imported as active readers` : `${report.invited} sent a confirmation mail`}</strong>, ${report.skipped.length} left alone, ${report.problems.length} rows with problems.</p>
${report.problems.length ? html`<h2>Rows with problems</h2><ul>${report.problems.map((p) => html`<li>Line ${p.line}: ${p.error}</li>`)}</ul>` : ''}
${report.skipped.length ? html`<h2>Left alone</h2><ul>${report.skipped.map((p) => html`<li>Line ${p.line}: ${p.email}, ${p.reason}</li>`)}</ul>` : ''}</div>`
    : '';
  return adminPage(
    'subscribers',
    'Import subscribers',
    c,
    html`${error ? html`<p class="error" role="alert">${error}</p>` : ''}${result}
<p class="muted">A CSV file whose first line names the columns: <code>email</code>, and optionally <code>frequency</code> (daily or weekly), <code>topics</code> (separated by ";"), <code>send_hour</code>, <code>send_day</code>, <code>timezone</code>. The export's file can be imported as it is.</p>
<form method="post" action="/admin/subscribers/import?_csrf=${encodeURIComponent(csrf)}" enctype="multipart/form-data">
<label for="file">CSV file</label><input id="file" name="file" type="file" accept=".csv,text/csv" required>
<fieldset><legend>Consent</legend>
<label class="choice"><input type="radio" name="mode" value="double-opt-in" checked> Send each a confirmation mail; they join when they confirm (double opt-in)</label>
<label class="choice"><input type="radio" name="mode" value="consented"> They already consented to this newsletter: add them as active readers</label>
<label for="consent">Where they consented (required for "already consented"; recorded with each reader)</label><input id="consent" name="consent" type="text" maxlength="400" placeholder="e.g. signed up on our old list, 2026-10-01">
</fieldset><p><button type="submit">Import</button></p></form>`,
  );
}

export function suppressionsPage(c: ConsoleContext, search: string | undefined, list: SuppressionRow[], older: string | null, notice?: string): Page {
  const { csrf } = c;
  const rows = list.map(
    (s) => html`<tr><td>${s.email.startsWith('hmac:') ? html`<span class="muted">(erased reader)</span>` : s.email}</td><td>${s.reason}</td><td>${s.source}</td><td><code>${s.detail ?? ''}</code></td><td>${fmt(s.createdAt)}</td>
<td>${s.reason === 'erased' || s.email.startsWith('hmac:') ? '' : postButton('/admin/suppressions/lift', 'Lift', csrf, { email: s.email }, true)}</td></tr>`,
  );
  const more = older ? new URLSearchParams({ ...(search ? { search } : {}), before: older }) : null;
  return adminPage(
    'suppressions',
    'Suppressions',
    c,
    html`<p class="muted">These addresses are never mailed. Lift one only when it was a mistake (the reader becomes active again).</p>
<form method="get" action="/admin/suppressions" class="row" role="search"><label>Address contains <input type="text" name="search" value="${search ?? ''}" maxlength="320"></label><button type="submit">Search</button></form>
${list.length ? html`<div class="scroll"><table><thead><tr><th>Address</th><th>Reason</th><th>Source</th><th>Detail</th><th>Since</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>` : html`<p class="muted">No suppression.</p>`}
${more ? html`<p><a href="/admin/suppressions?${more.toString()}">Older</a></p>` : ''}`,
    notice,
  );
}

/** One paper source's last fetch, as the papers page shows it. */
export interface SourceRunView {
  source: string;
  lastRunAt: Date;
  lastOkAt: Date | null;
  seen: number;
  added: number;
  updated: number;
  error: string | null;
}

function sourcesTable(runs: SourceRunView[], configured: readonly string[]): Html {
  const byName = new Map(runs.map((r) => [r.source, r]));
  const rows = configured.map((name) => {
    const r = byName.get(name);
    if (!r) return html`<tr><td><code>${name}</code></td><td colspan="3" class="muted">not fetched yet</td></tr>`;
    const outcome = r.error
      ? html`<span class="badge failed">failed</span> ${r.error}${r.lastOkAt ? html` <span class="muted">(last success ${fmt(r.lastOkAt)})</span>` : ''}`
      : html`<span class="badge sent">ok</span> ${r.seen} seen, ${r.added} added, ${r.updated} updated`;
    return html`<tr><td><code>${name}</code></td><td>${fmt(r.lastRunAt)}</td><td>${outcome}</td></tr>`;
  });
  return html`<h2>Sources</h2><div class="scroll"><table><thead><tr><th>Source</th><th>Last fetch</th><th>Outcome</th></tr></thead><tbody>${rows}</tbody></table></div>`;
}

export function papersPage(c: ConsoleContext, total: number, list: Paper[], sources: { runs: SourceRunView[]; configured: readonly string[] }, notice?: string): Page {
  const { csrf } = c;
  const rows = list.map((p) => {
    const link = p.links.arxiv ?? p.links.hf ?? p.links.project ?? null;
    return html`<tr><td>${link ? html`<a href="${link}" rel="noopener">${p.title}</a>` : p.title}</td><td>${p.sources.join(', ') || p.source}</td><td>${fmt(p.firstSeenAt)}</td><td>${fmt(p.publishedAt)}</td><td>${p.upvotes ?? '–'}</td></tr>`;
  });
  return adminPage(
    'papers',
    'Papers',
    c,
    html`<div class="row">${postButton('/admin/ingest', 'Fetch papers now', csrf)}<span class="muted">${total} papers in the catalogue; the newest ${list.length} below.</span></div>
${sourcesTable(sources.runs, sources.configured)}<h2>Newest papers</h2>
<div class="scroll"><table><thead><tr><th>Title</th><th>Sources</th><th>First seen</th><th>Published</th><th>Upvotes</th></tr></thead><tbody>${rows}</tbody></table></div>`,
    notice,
  );
}
