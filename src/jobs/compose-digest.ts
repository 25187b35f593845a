import { deliveryMessageId, mailDate, messageIdTag, readerLinks, senderDomain } from '../mail/addresses.js';
import { compileTemplate, type MimeTemplate } from '../mail/mime-template.js';
import type { Tokens } from '../domain/tokens.js';
import type { Compose } from './send-batch.js';

/**
 * Personalizes a digest by substitution: the render is compiled once per process and kept, and each reader
 * costs only their address, Message-ID, date and two signed links.
 */
export function createDigestComposer(args: {
  template: (renderId: number) => Promise<string | null>;
  tokens: Tokens;
  publicUrl: string;
  mailFrom: string;
  secret: string;
}): Compose {
  const templates = new Map<number, Promise<MimeTemplate | null>>();
  const domain = senderDomain(args.mailFrom);
  const tag = messageIdTag(args.secret);
  const templateOf = (renderId: number) => {
    let t = templates.get(renderId);
    if (!t) {
      t = args.template(renderId).then((src) => (src ? compileTemplate(src) : null));
      // A failed read is not kept: the next message tries again.
      t.catch(() => templates.delete(renderId));
      templates.set(renderId, t);
      if (templates.size > 256) templates.delete(templates.keys().next().value!);
    }
    return t;
  };
  let lastDate: Date | null = null;
  let lastDateText = '';
  return async (editionId, d, date) => {
    if (d.renderId === null) return null;
    const template = await templateOf(d.renderId);
    if (!template) return null;
    if (date !== lastDate) {
      lastDate = date;
      lastDateText = mailDate(date);
    }
    const messageId = deliveryMessageId(editionId, d.id, tag, domain);
    const raw = template.fill({ to: d.email, messageId, date: lastDateText, ...readerLinks(args.publicUrl, args.tokens, d.subscriberId) });
    return { raw, messageId };
  };
}
