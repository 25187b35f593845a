import { deliveryMessageId, feedbackUrl, mailDate, messageIdTag, readerLinks, senderDomain } from '../mail/addresses.js';
import { compileTemplate, type MimeTemplate } from '../mail/mime-template.js';
import type { Tokens } from '../domain/tokens.js';
import type { Compose } from './send-batch.js';

/** A stored render: its composed message, and its papers in list order (whose feedback links it holds). */
export interface StoredRender {
  source: string;
  paperIds: string[];
}

/**
 * Personalizes a digest by substitution: the render is compiled once per process and kept, and each reader
 * costs only their address, Message-ID, date, two signed links and one signed feedback link per paper.
 */
export function createDigestComposer(args: {
  template: (renderId: number) => Promise<StoredRender | null>;
  tokens: Tokens;
  publicUrl: string;
  mailFrom: string;
  secret: string;
}): Compose {
  const templates = new Map<number, Promise<{ template: MimeTemplate; paperIds: string[] } | null>>();
  const domain = senderDomain(args.mailFrom);
  const tag = messageIdTag(args.secret);
  const templateOf = (renderId: number) => {
    let t = templates.get(renderId);
    if (!t) {
      t = args.template(renderId).then((r) => (r ? { template: compileTemplate(r.source), paperIds: r.paperIds } : null));
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
    const render = await templateOf(d.renderId);
    if (!render) return null;
    if (date !== lastDate) {
      lastDate = date;
      lastDateText = mailDate(date);
    }
    const messageId = deliveryMessageId(editionId, d.id, tag, domain);
    const now = Math.floor(date.getTime() / 1000);
    const feedback = render.paperIds.map((paperId) => feedbackUrl(args.publicUrl, args.tokens, d.subscriberId, paperId, now));
    const raw = render.template.fill({ to: d.email, messageId, date: lastDateText, feedback, ...readerLinks(args.publicUrl, args.tokens, d.subscriberId) });
    return { raw, messageId };
  };
}
