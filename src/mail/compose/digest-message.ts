import { VIEW, type Slots } from '../../domain/marks.js';
import type { Frequency } from '../../domain/edition.js';
import type { ReaderView } from '../../domain/reader.js';
import { encodeWord, encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { buildMimeTemplate, compileFragment, compileTemplate, encodeFragment, fillInto, type Segment } from './mime-template.js';
import type { DigestParts, DigestWords, KindParts } from '../../domain/digest.js';
import { escapeHtml } from '../../domain/html.js';

/** An edition's digest as stored (edition_renders.mime_template, JSON): the message frame and the parts. */
export interface StoredDigest {
  frequency: Frequency;
  /** The composed message with the Subject, the text body and the HTML body as marks (VIEW). */
  frame: string;
  parts: DigestParts;
}


/** Composes the frame once per edition with nodemailer: headers, parts and encodings, with marks for the rest. */
export async function buildDigestFrame(spec: { from: string; headers: Record<string, string> }): Promise<string> {
  const t = await buildMimeTemplate({ from: spec.from, subject: VIEW.subject, text: VIEW.textBody, html: VIEW.htmlBody, headers: spec.headers, listUnsubscribe: true, quotedPrintable: true });
  return t.source;
}

/** The Subject header's value as nodemailer writes it: RFC 2047 words where needed, folded at 76. */
function subjectHeader(subject: string): string {
  const encoded = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(subject) ? encodeWord(subject, 'Q', 52) : (encodeWords as (v: string, e: 'Q', m: number, all: boolean) => string)(subject, 'Q', 52, true);
  return foldLines(`Subject: ${encoded}`, 76).slice('Subject: '.length);
}

type Compiled = { head: { plain: Segment[]; topics: Segment[] }; blocks: Map<string, { plain: Segment[]; because: Segment[] }>; tail: Segment[] };
const compileKind = (k: KindParts): Compiled => ({
  head: { plain: compileFragment(encodeFragment(k.head.plain)), topics: compileFragment(encodeFragment(k.head.topics)) },
  blocks: new Map(Object.entries(k.blocks).map(([id, b]) => [id, { plain: compileFragment(encodeFragment(b.plain)), because: compileFragment(encodeFragment(b.because)) }])),
  tail: compileFragment(encodeFragment(k.tail)),
});

/** Builds one reader's digest from an edition's stored parts; per reader only substitution and joining. */
export interface DigestAssembler {
  /** The raw message for a list; `feedback[i]` is the reader's link for `paperIds[i]`. Throws on a paper the parts lack. */
  fill(paperIds: string[], view: ReaderView, values: Slots & { feedback: string[] }): string;
  /**
   * The same message as pieces in order (mail/mailer.ts RawMessage): the edition's encoded parts are shared
   * by every reader, and only their own words and links are new strings. Nothing of 60 KB is built per reader.
   */
  pieces(paperIds: string[], view: ReaderView, values: Slots & { feedback: string[] }): string[];
}

/**
 * Encodes each part once (quoted-printable, marks kept), so that a reader's message is joined, never
 * re-encoded. `words` are the renderer's (src/digest/render-digest.ts), given by the caller: the composer
 * knows MIME, not digests.
 */
export function compileDigest(stored: StoredDigest, words: DigestWords): DigestAssembler {
  const frame = compileTemplate(stored.frame);
  const kinds = { html: compileKind(stored.parts.html), text: compileKind(stored.parts.text) };
  type Kind = 'html' | 'text';
  const escapes: Record<Kind, (v: string) => string> = { html: escapeHtml, text: (v) => v };
  // A list's words, escaped for each part, and its encoded Subject: made once per list and day, not per reader.
  type Words = { subjectHeader: string } & Record<Kind, Record<'subject' | 'preview' | 'dateLabel' | 'intro', string>>;
  const wordsOf = new Map<string, Words>();
  // "Because you liked" lines, typeset and escaped once per liked title.
  const reasons = new Map<string, Record<Kind, string>>();
  const reasonOf = (title: string) => {
    let r = reasons.get(title);
    if (!r) {
      const line = words.because(title);
      r = { html: escapeHtml(line), text: line };
      reasons.set(title, r);
      if (reasons.size > 1024) reasons.delete(reasons.keys().next().value!);
    }
    return r;
  };
  // One reader's encoded body, appended where its slot sits in the message's pieces.
  const body = (out: string[], kind: Kind, paperIds: string[], view: ReaderView, listed: Words, values: Slots & { feedback: string[] }) => {
    const c = kinds[kind];
    const shared = { preferencesUrl: values.preferencesUrl, unsubscribeUrl: values.unsubscribeUrl };
    fillInto(out, view.topics?.length ? c.head.topics : c.head.plain, {
      ...shared,
      ...listed[kind],
      topicLine: escapes[kind](words.topicLine(view.topics) ?? ''),
    });
    // A soft line break joins parts: each QP line stays within 76 characters.
    out.push('=\r\n');
    // One object for every entry's values, filled again for each (fillInto reads it at once, never later).
    const entry = { ...shared, rank: '', because: '', feedback: '' };
    for (let i = 0; i < paperIds.length; i++) {
      const id = paperIds[i]!;
      const block = c.blocks.get(id)!;
      const because = view.because?.[id];
      entry.rank = String(i + 1);
      entry.because = because ? reasonOf(because)[kind] : '';
      entry.feedback = values.feedback[i]!;
      fillInto(out, because ? block.because : block.plain, entry);
      out.push('=\r\n');
    }
    fillInto(out, c.tail, shared);
  };
  const pieces: DigestAssembler['pieces'] = (paperIds, view, values) => {
    const papers = paperIds.map((id) => {
      const p = stored.parts.papers[id];
      if (!p || !kinds.html.blocks.has(id)) throw new Error(`paper ${id} is not in the edition's rendered pool`);
      return p;
    });
    // Readers with the same list and day share their words (typesetting, dates and RFC 2047 are not free).
    const key = `${view.day}|${paperIds.join(',')}`;
    let listed = wordsOf.get(key);
    if (!listed) {
      const w = words.list(papers, stored.frequency, view.day);
      const of = (esc: (v: string) => string) => ({ subject: esc(w.subject), preview: esc(w.preview), dateLabel: esc(w.dateLabel), intro: esc(w.intro) });
      listed = { subjectHeader: subjectHeader(w.subject), html: of(escapes.html), text: of(escapes.text) };
      wordsOf.set(key, listed);
      if (wordsOf.size > 256) wordsOf.delete(wordsOf.keys().next().value!);
    }
    const { feedback: _links, ...slots } = values;
    return frame.pieces({
      ...slots,
      subject: listed!.subjectHeader,
      textBody: (out: string[]) => body(out, 'text', paperIds, view, listed!, values),
      htmlBody: (out: string[]) => body(out, 'html', paperIds, view, listed!, values),
    });
  };
  return { pieces, fill: (paperIds, view, values) => pieces(paperIds, view, values).join('') };
}
