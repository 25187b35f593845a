import type { Paper, SourceRun } from '../../domain/paper.js';
import type { SuppressionRow } from '../../domain/bounces.js';
import type { Subscriber } from '../../domain/reader.js';
import { describeSchedule } from '../../domain/preferences.js';
import type { ImportReport } from '../admin-port.js';
import { adminPage, badge, fmt, postButton, type ConsoleContext } from './admin.js';
import { html, raw, type Html, type Page } from './layout.js';

// The console's readers (search, one reader, import, suppressions) and papers with their sources.

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
    ['Last engaged (a button pressed)', fmt(s.engagedAt)],
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


function sourcesTable(runs: SourceRun[], configured: readonly string[]): Html {
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

export function papersPage(c: ConsoleContext, total: number, list: Paper[], sources: { runs: SourceRun[]; configured: readonly string[] }, notice?: string): Page {
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
