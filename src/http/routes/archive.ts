import { DOMImplementation, XMLSerializer } from '@xmldom/xmldom';
import type { FastifyInstance } from 'fastify';
import { localDay } from '../../domain/period.js';
import type { Templates } from '../../digest/templates.js';
import { renderDigest } from '../../digest/render-digest.js';
import { siteHost } from '../../domain/links.js';
import type { ResolvedConfig } from '../../config.js';
import type { Edition, Frequency } from '../../domain/edition.js';
import type { Paper } from '../../domain/paper.js';
import { html, page } from '../pages/layout.js';
import { sendError, sendHtml } from '../respond.js';
import { cleanText } from '../../domain/safe-content.js';
import { Type } from '@sinclair/typebox';
import { ErrorReply, htmlPage, textOf } from '../schemas.js';

const LIST = 100;

/** What the public archive needs. */
export interface ArchiveDeps {
  config: Pick<ResolvedConfig, 'publicUrl' | 'brand' | 'digest'>;
  editions: {
    /** Editions that went out, newest first. */
    archive(limit: number): Promise<{ id: number; frequency: Frequency; period: string; top: string | null; papers: number; createdAt: Date }[]>;
    byId(id: number): Promise<Edition | null>;
  };
  papersByIds(ids: string[]): Promise<Paper[]>;
  /** The templates web versions are rendered with (TEMPLATES_DIR's among them). */
  templates: Templates;
}

/** The public archive: past editions, their web versions (no personal data) and an RSS 2.0 feed. */
export async function archiveRoutes(app: FastifyInstance, deps: ArchiveDeps) {
  const { config } = deps;
  // A web version never changes once its pool is fixed: render it once per process.
  const webVersions = new Map<number, Promise<string>>();

  app.get('/archive', { schema: { summary: 'Past editions', tags: ['Archive'], response: { 200: htmlPage('The archive') } } }, async (_req, reply) => {
    const list = await deps.editions.archive(LIST);
    const rows = list.map(
      (e) => html`<li><a href="/archive/${e.id}">${e.frequency === 'weekly' ? 'Weekly' : 'Daily'} digest, ${e.period}</a> <span class="muted">· ${e.papers} papers</span></li>`,
    );
    return sendHtml(
      reply,
      page(
        'Archive',
        html`<div class="card"><h1>Past editions</h1>${rows.length ? html`<ul>${rows}</ul>` : html`<p>No edition has gone out yet.</p>`}
<p class="muted"><a href="/archive.rss">RSS feed</a> · <a href="/">Subscribe</a></p></div>`,
      ),
    );
  });

  app.get('/archive.rss', { schema: { summary: 'Past editions as RSS 2.0', tags: ['Archive'], response: { 200: textOf('application/rss+xml', 'RSS 2.0') } } }, async (_req, reply) => {
    const list = await deps.editions.archive(50);
    const doc = new DOMImplementation().createDocument(null, 'rss', null);
    const rss = doc.documentElement!;
    rss.setAttribute('version', '2.0');
    const add = (parent: typeof rss, name: string, text?: string) => {
      const el = doc.createElement(name);
      if (text !== undefined) el.appendChild(doc.createTextNode(text));
      parent.appendChild(el);
      return el;
    };
    const channel = add(rss, 'channel');
    add(channel, 'title', `${config.brand.name} · trending papers at ${siteHost(config.publicUrl)}`);
    add(channel, 'link', `${config.publicUrl}/archive`);
    add(channel, 'description', `Editions of the ${config.brand.name} digest of trending research papers.`);
    add(channel, 'language', 'en');
    for (const e of list) {
      const item = add(channel, 'item');
      const url = `${config.publicUrl}/archive/${e.id}`;
      add(item, 'title', `${e.frequency === 'weekly' ? 'Weekly' : 'Daily'} digest, ${e.period}`);
      add(item, 'link', url);
      add(item, 'guid', url).setAttribute('isPermaLink', 'true');
      add(item, 'pubDate', new Date(e.createdAt).toUTCString());
      // Stored titles are cleaned at ingest; cleaning here too keeps the feed well-formed XML whatever a row holds.
      add(item, 'description', `${e.papers} trending papers${e.top ? `, led by "${cleanText(e.top)}"` : ''}.`);
    }
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(doc)}`;
    return reply.type('application/rss+xml; charset=utf-8').send(xml);
  });

  app.get<{ Params: { id: string } }>('/archive/:id', { schema: { summary: "An edition's web version", tags: ['Archive'], params: Type.Object({ id: Type.String({ description: 'The edition id' }) }), response: { 200: htmlPage('The edition'), 404: ErrorReply } } }, async (req, reply) => {
    const id = Number(req.params.id);
    const edition = Number.isSafeInteger(id) && id > 0 ? await deps.editions.byId(id) : null;
    // Any edition whose pool is fixed has a web version, paused or not.
    if (!edition || !['assigning', 'sending', 'sent', 'paused'].includes(edition.status) || !edition.paperIds.length)
      return sendError(req, reply, 404, 'There is no edition at this address.', 'Not found');
    let rendered = webVersions.get(id);
    if (!rendered) {
      rendered = deps.papersByIds(edition.paperIds).then(async (papers) => {
        // What a reader with default settings got (the top DIGEST_SIZE), then the rest of the pool.
        const r = await renderDigest(papers.slice(0, config.digest.size), {
          frequency: edition.frequency,
          day: localDay(edition.createdAt, config.digest.tz),
          siteHost: siteHost(config.publicUrl),
          web: { signupUrl: `${config.publicUrl}/`, archiveUrl: `${config.publicUrl}/archive`, more: papers.slice(config.digest.size) },
          brand: config.brand,
          templates: deps.templates,
        });
        return r.html;
      });
      webVersions.set(id, rendered);
      if (webVersions.size > 100) webVersions.delete(webVersions.keys().next().value!);
    }
    return sendHtml(reply, await rendered);
  });
}
