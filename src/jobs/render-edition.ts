import { siteHost } from '../domain/links.js';
import type { Edition } from '../domain/edition.js';
import type { Paper } from '../domain/paper.js';
import { buildDigestFrame, type StoredDigest } from '../mail/compose/digest-message.js';
import { renderDigestParts } from '../digest/digest-parts.js';
import { feedbackId, listId, senderDomain } from '../mail/addresses.js';
import type { ResolvedConfig } from '../config.js';
import type { Templates } from '../digest/templates.js';
import type { RenderStore } from './stores.js';

/** What rendering an edition's digest uses: its renders, the brand and addresses, the templates. */
export interface RenderPort {
  renders: RenderStore;
  config: Pick<ResolvedConfig, 'publicUrl' | 'mailFrom' | 'brand'>;
  templates: Templates;
}

/**
 * Renders the edition's pool once, in parts (two MJML renders, whatever the number of readers or lists), with
 * the message frame, and stores them as the edition's one render; concurrent builders share the first one.
 */
export async function renderParts(deps: RenderPort, edition: Edition, pool: Paper[]): Promise<number> {
  const existing = (await deps.renders.renderKeys(edition.id)).get(PARTS_KEY);
  if (existing !== undefined) return existing;
  const stored = await digestInParts(deps, edition, pool);
  return deps.renders.addRender(edition.id, { listKey: PARTS_KEY, paperIds: pool.map((p) => p.id), subject: '', mimeTemplate: JSON.stringify(stored) });
}

/** An edition's digest in parts and its message frame, as stored (the fan-out benchmark sizes its ceiling's messages with it). */
export async function digestInParts({ config, templates }: Omit<RenderPort, 'renders'>, edition: Pick<Edition, 'id' | 'frequency'>, pool: Paper[]): Promise<StoredDigest> {
  const parts = await renderDigestParts(pool, {
    frequency: edition.frequency,
    siteHost: siteHost(config.publicUrl),
    webUrl: `${config.publicUrl}/archive/${edition.id}`,
    brand: config.brand,
    templates,
  });
  const frame = await buildDigestFrame({
    from: config.mailFrom,
    headers: {
      'List-Id': listId(edition.frequency, senderDomain(config.mailFrom), config.brand),
      'Feedback-ID': feedbackId(edition.frequency, 'digest', senderDomain(config.mailFrom), config.brand.slug),
    },
  });
  return { frequency: edition.frequency, frame, parts };
}

/** The list key of an edition's digest in parts (older editions have one render per list). */
const PARTS_KEY = 'parts:v1';
