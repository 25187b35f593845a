import type { EditionEngagement, EditionStats, Ledger } from '../../domain/edition.js';
import type { Paper } from '../../domain/paper.js';
import { adminPage, badge, csrfField, fmt, postButton, type ConsoleContext, type PausedView } from './admin.js';
import { html, type Html, type Page } from './layout.js';

// The console's overview and editions: their progress, their ledgers, their failures by answer.

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
export type LedgerView = Ledger & { missing: number; balanced: boolean };

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
  more: { ledger: LedgerView | null; probe: PausedView | null; engagement: EditionEngagement },
  notice?: string,
): Page {
  const { csrf } = c;
  const live = ['pending', 'assigning', 'sending'].includes(e.status);
  const counts = (['recipients', 'queued', 'sending', 'sent', 'failed', 'skipped', 'renders'] as const).map(
    (k) => html`<div class="stat"><b data-count="${k}">${e[k]}</b>${k}</div>`,
  );
  // Complaints tied to the edition, as a share of what it sent (the complaint guard pauses past COMPLAINT_PAUSE_RATE).
  const complaints = e.complaints ?? 0;
  counts.push(html`<div class="stat"><b>${complaints}</b>complaints${e.sent ? ` (${((complaints / e.sent) * 100).toFixed(2)} %)` : ''}</div>`);
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
<h2>What readers did</h2><p>${more.engagement.readers} reader${more.engagement.readers === 1 ? '' : 's'} chose on its papers${e.sent ? ` (${((more.engagement.readers / e.sent) * 100).toFixed(1)} % of those sent)` : ''}. <span class="muted">Only a person's button press counts; no pixel, no link fetch.</span></p>
${more.engagement.papers.length ? html`<ol>${more.engagement.papers.map((p) => html`<li>${p.title} <span class="muted">(${p.chosen} × more like this)</span></li>`)}</ol>` : ''}
<h2>Failures by answer</h2>${failures.length ? html`<div class="scroll"><table><thead><tr><th>Server answer</th><th>Readers</th><th>For example</th></tr></thead><tbody>${failureRows}</tbody></table></div>` : html`<p class="muted">No failure.</p>`}
<h2>Pool</h2>${pool.length ? html`<ol>${poolRows}</ol>` : html`<p class="muted">No pool yet.</p>`}
<script src="/assets/admin.js" defer></script>`,
    notice,
  );
}
