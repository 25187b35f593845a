import type { FastifyInstance } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import { html, page } from '../pages/layout.js';
import { sendError, sendHtml } from '../respond.js';
import { FRAMED_BY_US } from '../security-headers.js';

const LIST_LIMIT = 200;
const addressText = (a: ParsedMail['to']) => (Array.isArray(a) ? a.map((x) => x.text).join(', ') : (a?.text ?? ''));

/** /dev/inbox: what the built-in SMTP catcher caught, for trying the service without a mail server. */
/** The built-in catcher's mail (bound to its folder by the runtime). */
export interface DevInbox {
  /** Message ids, newest first. */
  list(): Promise<string[]>;
  /** A message's raw bytes, or null when there is none by that id. */
  read(id: string): Promise<Buffer | null>;
}

export async function devInboxRoutes(app: FastifyInstance, inbox: DevInbox) {
  const load = async (id: string) => {
    const buf = await inbox.read(id);
    return buf ? { buf, mail: await simpleParser(buf) } : null;
  };
  const summaries = async () =>
    Promise.all(
      (await inbox.list()).slice(0, LIST_LIMIT).map(async (id) => {
        const m = (await load(id))!;
        return { id, subject: m.mail.subject ?? '', from: addressText(m.mail.from), to: addressText(m.mail.to), date: m.mail.date?.toISOString() ?? null };
      }),
    );

  app.get('/dev/inbox.json', async () => summaries());

  app.get('/dev/inbox', async (_req, reply) => {
    const rows = await summaries();
    const table = rows.length
      ? html`<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows.map(
          (r) => html`<tr><td>${r.date?.replace('T', ' ').slice(0, 19) ?? ''}</td><td>${r.to}</td><td><a href="/dev/inbox/${r.id}">${r.subject || '(no subject)'}</a></td></tr>`,
        )}</tbody></table>`
      : html`<p>No mail yet. <a href="/">Subscribe</a> and the confirmation lands here.</p>`;
    return sendHtml(reply, page('Dev inbox', html`<h1>Dev inbox</h1><p class="muted">Mail caught by the built-in SMTP server (SMTP_URL is unset). Newest first.</p>${table}`, { wide: true }));
  });

  app.get<{ Params: { id: string } }>('/dev/inbox/:id', async (req, reply) => {
    const m = await load(req.params.id);
    if (!m) return sendError(req, reply, 404, 'No such message.', 'Not found');
    const headers = ['from', 'to', 'subject', 'date', 'message-id', 'list-id', 'list-unsubscribe', 'list-unsubscribe-post'].map((k) => {
      const v = m.mail.headerLines.find((h) => h.key === k)?.line ?? '';
      return html`<tr><th>${k}</th><td>${v.slice(v.indexOf(':') + 1).trim()}</td></tr>`;
    });
    return sendHtml(
      reply,
      page(
        m.mail.subject ?? 'Message',
        html`<p><a href="/dev/inbox">← Dev inbox</a> · <a href="/dev/inbox/${req.params.id}.eml">raw .eml</a> · ${m.buf.length} bytes</p>
<table>${headers}</table>
<h2>HTML</h2>
<iframe title="HTML part" src="/dev/inbox/${req.params.id}/html" sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation allow-forms" style="width:100%;height:70vh;border:1px solid #ccc;background:#fff"></iframe>
<h2>Text</h2><pre>${m.mail.text ?? ''}</pre>`,
        { wide: true },
      ),
    );
  });

  app.get<{ Params: { id: string } }>('/dev/inbox/:id/html', { helmet: FRAMED_BY_US }, async (req, reply) => {
    const m = await load(req.params.id);
    if (!m || typeof m.mail.html !== 'string') return sendError(req, reply, 404, 'No HTML part.', 'Not found');
    // Links open in the whole tab, as they would from a mail client.
    const body = m.mail.html.replace(/<head([^>]*)>/i, '<head$1><base target="_top">');
    return sendHtml(reply, body).header('content-security-policy', "script-src 'none'");
  });

  app.get<{ Params: { id: string } }>('/dev/inbox/:id.eml', async (req, reply) => {
    const m = await inbox.read(req.params.id);
    if (!m) return sendError(req, reply, 404, 'No such message.', 'Not found');
    return reply.type('message/rfc822').send(m);
  });
}
