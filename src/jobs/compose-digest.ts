import { digestWords } from '../digest/render-digest.js';
import { feedbackUrl, readerLinks } from '../domain/links.js';
import { compileDigest, type DigestAssembler, type StoredDigest } from '../mail/compose/digest-message.js';
import { deliveryMessageId, mailDate, messageIdTag, senderDomain } from '../mail/addresses.js';
import { compileTemplate } from '../mail/compose/mime-template.js';
import type { Tokens } from '../domain/tokens.js';
import type { Compose } from './send-batch.js';

/**
 * Personalizes a digest by substitution: the edition's parts are compiled once per process and kept, and
 * each reader costs their list's entries joined, their words (date, subject, topics, reasons), their
 * address, Message-ID, two signed links and one signed feedback link per paper.
 */
export function createDigestComposer(args: {
  /** The stored render: an edition's digest in parts (JSON), or, for editions from before, one list's message. */
  template: (renderId: number) => Promise<string | null>;
  tokens: Tokens;
  publicUrl: string;
  mailFrom: string;
  secret: string;
}): Compose {
  type Loaded = { parts: DigestAssembler } | { message: ReturnType<typeof compileTemplate> };
  const renders = new Map<number, Promise<Loaded | null>>();
  const domain = senderDomain(args.mailFrom);
  const tag = messageIdTag(args.secret);
  const load = (renderId: number) => {
    let t = renders.get(renderId);
    if (!t) {
      t = args.template(renderId).then((src) => {
        if (src === null) return null;
        // A render from before parts is a composed message; a delivery queued then is still sent from it.
        return src.startsWith('{') ? { parts: compileDigest(JSON.parse(src) as StoredDigest, digestWords) } : { message: compileTemplate(src) };
      });
      // A failed read is not kept: the next message tries again.
      t.catch(() => renders.delete(renderId));
      renders.set(renderId, t);
      if (renders.size > 16) renders.delete(renders.keys().next().value!);
    }
    return t;
  };
  let lastDate: Date | null = null;
  let lastDateText = '';
  return async (editionId, d, date) => {
    if (d.renderId === null) return null;
    const render = await load(d.renderId);
    if (!render) return null;
    if (date !== lastDate) {
      lastDate = date;
      lastDateText = mailDate(date);
    }
    const messageId = deliveryMessageId(editionId, d.id, tag, domain);
    const slots = { to: d.email, messageId, date: lastDateText, ...readerLinks(args.publicUrl, args.tokens, d.subscriberId) };
    if ('message' in render) return { raw: render.message.fill(slots), messageId };
    const issuedAt = Math.floor(date.getTime() / 1000);
    const feedback = d.paperIds.map((paperId) => feedbackUrl(args.publicUrl, args.tokens, d.subscriberId, paperId, issuedAt));
    const raw = render.parts.pieces(d.paperIds, d.view ?? { day: date.toISOString().slice(0, 10) }, { ...slots, feedback });
    return { raw, messageId };
  };
}
