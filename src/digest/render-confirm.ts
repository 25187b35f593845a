import type { Frequency } from '../config.js';
import { SLOT } from '../mail/mime-template.js';
import { renderMjml, renderText } from './templates.js';
import type { RenderedMessage } from './render-digest.js';

/** Renders the confirmation mail once; the reader's confirm link stays a slot (actionUrl). */
export async function renderConfirm(frequency: Frequency, siteHost: string): Promise<RenderedMessage> {
  const subject = 'Confirm your papermail subscription';
  const view = { subject, preview: 'One click to start receiving trending papers.', frequencyLabel: frequency, siteHost, confirmUrl: SLOT.actionUrl };
  return { subject, html: await renderMjml('confirm', view), text: renderText('confirm', view) };
}
