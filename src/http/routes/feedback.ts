import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FeedbackChoice, MarkedPaper, Subscriber } from '../../domain/reader.js';
import { toBibtex, toRis } from '../../domain/citations.js';
import { readingListUrl } from '../../domain/links.js';
import type { ResolvedConfig } from '../../config.js';
import type { Tokens } from '../../domain/tokens.js';
import type { Paper } from '../../domain/paper.js';
import { CHOICE_WORDS, choiceForm, readingListBody } from '../pages/feedback.js';
import { html, messagePage, page } from '../pages/layout.js';
import { invalidLink, rejectUnlessFormOrJson, sendError, sendHtml, wantsJson } from '../respond.js';
import { Type } from '@sinclair/typebox';
import { ErrorReply, FeedbackParams, FeedbackView, oneOf, textOf, TokenParams } from '../schemas.js';
import { validationMessage, type RouteSchema } from '../validation.js';

type FeedbackRequest = FastifyRequest<{ Params: { paper: string; token: string }; Querystring: { choice?: FeedbackChoice } }>;

// A paper id as papermail stores them: printable, short.
const PAPER_ID = /^[\x21-\x7e]{1,200}$/;

/** What "More like this" and the reading list need. */
export interface FeedbackDeps {
  config: Pick<ResolvedConfig, 'publicUrl'>;
  tokens: Tokens;
  readerById(id: number): Promise<Subscriber | null>;
  papersByIds(ids: string[]): Promise<Paper[]>;
  feedback: {
    record(subscriberId: number, paperId: string, choice: FeedbackChoice, at: Date): Promise<boolean>;
    remove(subscriberId: number, paperId: string): Promise<void>;
    choiceOf(subscriberId: number, paperId: string): Promise<FeedbackChoice | null>;
    marked(subscriberId: number, choice?: FeedbackChoice): Promise<MarkedPaper[]>;
  };
}

/**
 * "More like this" / "Less like this" from a digest, and the reader's reading list. A feedback link's GET
 * (what a mail scanner fetches) only shows the paper and the choice with one button; the POST records it.
 * The token is signed for the reader and the paper, so a link can only speak for its own paper.
 */
const CHOOSE = 'Choose "more", "less" or "undo".';
const postSchema: RouteSchema = {
  summary: 'Record "more like this" or "less like this" on a paper (the last choice wins), or take it back',
  tags: ['Readers'],
  params: FeedbackParams,
  body: Type.Object({ choice: oneOf(['more', 'less', 'undo'], CHOOSE) }, { additionalProperties: true, 'x-messages': { type: CHOOSE, required: CHOOSE } }),
  response: { 200: { ...FeedbackView, description: 'Noted (or JSON: the paper and the choice now)' }, 400: ErrorReply, 404: ErrorReply, 415: ErrorReply },
};

export async function feedbackRoutes(app: FastifyInstance, deps: FeedbackDeps) {
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

  /** The reader and the paper behind a feedback link, or null once an answer was sent. */
  const target = async (req: FeedbackRequest, reply: FastifyReply) => {
    noStore(reply);
    const { paper: paperId, token } = req.params;
    const valid = PAPER_ID.test(paperId) ? deps.tokens.verify(token, 'feedback', undefined, paperId) : null;
    if (!valid) {
      await invalidLink(req, reply, 'feedback');
      return null;
    }
    const [subscriber, [paper]] = await Promise.all([deps.readerById(valid.subscriberId), deps.papersByIds([paperId])]);
    if (!subscriber || !paper) {
      await sendError(req, reply, 404, 'Nothing is stored behind this link any more.', 'Nothing stored');
      return null;
    }
    return { subscriber, paper, action: `/feedback/${encodeURIComponent(paperId)}/${token}` };
  };

  const links = (subscriberId: number) =>
    html`<p class="muted"><a href="${new URL(readingListUrl(deps.config.publicUrl, deps.tokens, subscriberId)).pathname}">Your reading list</a> · <a href="/preferences/${deps.tokens.sign(subscriberId, 'preferences')}">Your preferences</a></p>`;

  app.get('/feedback/:paper/:token', { schema: { summary: 'A feedback link from a digest: names the paper and the choice, with one button; records nothing', tags: ['Readers'], params: FeedbackParams, querystring: Type.Object({ choice: Type.Optional(oneOf(['more', 'less'], 'A feedback link says "more" or "less".')) }), response: { 200: { ...FeedbackView, description: 'The page (or JSON: the paper and the current choice)' }, 400: ErrorReply, 404: ErrorReply } } }, async (req: FeedbackRequest, reply) => {
    const { choice } = req.query;
    const t = await target(req, reply);
    if (!t) return reply;
    const current = await deps.feedback.choiceOf(t.subscriber.id, t.paper.id);
    if (wantsJson(req)) return { paper: { id: t.paper.id, title: t.paper.title }, choice: current };
    const asked = choice ?? null;
    const already = asked !== null && current === asked;
    const title = asked ? `${CHOICE_WORDS[asked].ask}?` : 'Your feedback';
    const buttons = asked
      ? already
        ? html`<p>Already noted: ${CHOICE_WORDS[asked].done}</p>${choiceForm(t.action, 'undo', 'Undo', true)}`
        : html`<p>${CHOICE_WORDS[asked].will}</p>${choiceForm(t.action, asked, `Yes, ${CHOICE_WORDS[asked].ask.toLowerCase()}`)}`
      : html`${choiceForm(t.action, 'more', CHOICE_WORDS.more.ask)} ${choiceForm(t.action, 'less', CHOICE_WORDS.less.ask, true)}`;
    return sendHtml(
      reply,
      messagePage(title, html`<p>On <strong>${t.paper.title}</strong>, for ${t.subscriber.email}.</p>`, html`${buttons}${links(t.subscriber.id)}`),
    );
  });

  app.post('/feedback/:paper/:token', { schema: postSchema, attachValidation: true }, async (req: FeedbackRequest, reply) => {
    if (rejectUnlessFormOrJson(req, reply)) return reply;
    if (req.validationError) return sendError(req, reply, 400, validationMessage(req.validationError));
    const { choice } = req.body as { choice: FeedbackChoice | 'undo' };
    const t = await target(req, reply);
    if (!t) return reply;
    if (choice === 'undo') await deps.feedback.remove(t.subscriber.id, t.paper.id);
    else if (!(await deps.feedback.record(t.subscriber.id, t.paper.id, choice, new Date())))
      return sendError(req, reply, 404, 'Nothing is stored behind this link any more.', 'Nothing stored');
    if (wantsJson(req)) return { paper: { id: t.paper.id, title: t.paper.title }, choice: choice === 'undo' ? null : choice };
    return sendHtml(
      reply,
      choice === 'undo'
        ? messagePage('Taken back', html`<p>Your choice on <strong>${t.paper.title}</strong> is gone.</p>`, html`${choiceForm(t.action, 'more', CHOICE_WORDS.more.ask, true)} ${choiceForm(t.action, 'less', CHOICE_WORDS.less.ask, true)}${links(t.subscriber.id)}`)
        : messagePage('Thanks, noted', html`<p>${CHOICE_WORDS[choice].done}</p><p><strong>${t.paper.title}</strong></p>`, html`${choiceForm(t.action, 'undo', 'Undo', true)}${links(t.subscriber.id)}`),
    );
  });

  /** The reader behind a reading-list link, with their liked papers; null once an answer was sent. */
  const readingList = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    noStore(reply);
    const valid = deps.tokens.verify(req.params.token, 'reading-list');
    if (!valid) {
      await invalidLink(req, reply, 'reading-list');
      return null;
    }
    if (!(await deps.readerById(valid.subscriberId))) {
      await sendError(req, reply, 404, 'Nothing is stored behind this link any more.', 'Nothing stored');
      return null;
    }
    return deps.feedback.marked(valid.subscriberId, 'more');
  };
  const citable = (items: MarkedPaper[]) => items.map((i) => i.paper);

  app.get<{ Params: { token: string } }>('/reading-list/:token', { schema: { summary: 'The papers the reader liked, newest first (HTML, or JSON)', tags: ['Readers'], params: TokenParams, response: { 200: { ...Type.Object({ papers: Type.Array(Type.Object({}, { additionalProperties: true })) }), description: 'The reading list' }, 400: ErrorReply, 404: ErrorReply } } }, async (req, reply) => {
    const items = await readingList(req, reply);
    if (!items) return reply;
    if (wantsJson(req)) return { papers: items.map((i) => ({ id: i.paper.id, title: i.paper.title, authors: i.paper.authors, likedAt: i.at.toISOString() })) };
    return sendHtml(reply, page('Your reading list', readingListBody(items, `/reading-list/${req.params.token}`)));
  });

  app.get<{ Params: { token: string } }>('/reading-list/:token/bibtex', { schema: { summary: 'The reading list as BibTeX', tags: ['Readers'], params: TokenParams, response: { 200: textOf('application/x-bibtex', 'BibTeX'), 400: ErrorReply, 404: ErrorReply } } }, async (req, reply) => {
    const items = await readingList(req, reply);
    if (!items) return reply;
    return reply.type('application/x-bibtex; charset=utf-8').header('content-disposition', 'attachment; filename="reading-list.bib"').send(toBibtex(citable(items)));
  });

  app.get<{ Params: { token: string } }>('/reading-list/:token/ris', { schema: { summary: 'The reading list as RIS', tags: ['Readers'], params: TokenParams, response: { 200: textOf('application/x-research-info-systems', 'RIS'), 400: ErrorReply, 404: ErrorReply } } }, async (req, reply) => {
    const items = await readingList(req, reply);
    if (!items) return reply;
    return reply.type('application/x-research-info-systems; charset=utf-8').header('content-disposition', 'attachment; filename="reading-list.ris"').send(toRis(citable(items)));
  });
}

