import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeSchedule, PreferencesBody, preferencesOf, type PreferenceFields } from '../../domain/preferences.js';
import type { ResolvedConfig } from '../../config.js';
import type { Tokens } from '../../domain/tokens.js';
import type { MarkedPaper, Subscriber } from '../../domain/reader.js';
import type { Preferences } from '../../domain/preferences.js';
import type { ConsentContext } from '../../domain/signup.js';
import { readingListUrl } from '../../domain/links.js';
import { preferencesPage, unsubscribedPage, type FeedbackLists } from '../pages/preferences.js';
import { feedbackAction } from '../pages/feedback.js';
import { consentOf, invalidLink, rejectUnlessFormOrJson, sendError, sendHtml, wantsJson } from '../respond.js';
import { ErrorReply, PreferencesView, TokenParams } from '../schemas.js';
import { validationMessage, type RouteSchema } from '../validation.js';

/** What the preference center needs. */
export interface PreferencesDeps {
  config: Pick<ResolvedConfig, 'publicUrl' | 'digest'>;
  tokens: Tokens;
  readers: {
    byId(id: number): Promise<Subscriber | null>;
    /** Saves validated preferences and reschedules the reader; the reader after it, or null when they may not change them. */
    savePreferences(id: number, p: Preferences, consent: ConsentContext): Promise<Subscriber | null>;
  };
  /** The papers a reader liked or hid. */
  marked(subscriberId: number): Promise<MarkedPaper[]>;
}

/**
 * The preference center behind the reader's preferences token. Export and erasure are not here: this link
 * sits in every old digest, so it can only ask for a fresh, mailed link (routes/your-data.ts).
 */
export async function preferencesRoutes(app: FastifyInstance, deps: PreferencesDeps) {
  const reader = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply, opts: { leftOk?: boolean } = {}) => {
    const valid = deps.tokens.verify(req.params.token, 'preferences');
    if (!valid) {
      await invalidLink(req, reply, 'preferences');
      return null;
    }
    const subscriber = await deps.readers.byId(valid.subscriberId);
    if (!subscriber || (subscriber.status === 'unsubscribed' && !opts.leftOk) || subscriber.status === 'suppressed') {
      await sendError(req, reply, 404, 'There is no active subscription behind this link. Subscribe again from the front page.', 'No subscription');
      return null;
    }
    return subscriber;
  };
  const view = (r: Subscriber) => ({
    email: r.email,
    frequency: r.frequency,
    topics: r.topics,
    max_papers: r.maxPapers,
    send_hour: r.sendHour,
    send_day: r.sendDay,
    timezone: r.timezone,
    next_send_at: r.nextSendAt?.toISOString() ?? null,
    schedule: describeSchedule(r),
  });

  /** The reader's marked papers for the page, each with the link its undo posts to. */
  const feedbackOf = async (id: number): Promise<FeedbackLists> => {
    const marked = await deps.marked(id);
    const withAction = (choice: 'more' | 'less') => marked.filter((m) => m.choice === choice).map((item) => ({ item, action: feedbackAction(deps, id, item.paper.id) }));
    return { liked: withAction('more'), hidden: withAction('less'), readingList: new URL(readingListUrl(deps.config.publicUrl, deps.tokens, id)).pathname };
  };

  const getSchema: RouteSchema = {
    summary: 'The preference center (HTML, or JSON with Accept: application/json)',
    tags: ['Readers'],
    params: TokenParams,
    response: { 200: { ...PreferencesView, description: 'The preferences (JSON), or the page' }, 400: ErrorReply, 404: ErrorReply },
  };
  app.get<{ Params: { token: string } }>('/preferences/:token', { schema: getSchema }, async (req, reply) => {
    const r = await reader(req, reply, { leftOk: true });
    if (!r) return reply;
    if (wantsJson(req)) return { ...view(r), status: r.status };
    // Someone who left keeps a way to their data (and back in), through this old link.
    if (r.status === 'unsubscribed') return sendHtml(reply, unsubscribedPage(req.params.token, r.email));
    return sendHtml(reply, preferencesPage({ token: req.params.token, reader: r, defaultSize: deps.config.digest.size, feedback: await feedbackOf(r.id) }));
  });

  const postSchema: RouteSchema = {
    summary: 'Save preferences; a field left out keeps its value',
    tags: ['Readers'],
    params: TokenParams,
    body: PreferencesBody,
    response: { 200: { ...PreferencesView, description: 'The saved preferences (JSON), or the page' }, 400: ErrorReply, 404: ErrorReply, 415: ErrorReply },
  };
  // Validation is attached, not answered: the form comes back with the message and what was typed.
  app.post<{ Params: { token: string } }>('/preferences/:token', { schema: postSchema, attachValidation: true }, async (req, reply) => {
    if (rejectUnlessFormOrJson(req, reply)) return reply;
    const r = await reader(req, reply);
    if (!r) return reply;
    if (req.validationError) {
      const error = validationMessage(req.validationError);
      if (wantsJson(req)) return sendError(req, reply, 400, error);
      const values = Object.fromEntries(Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '').replace(/[\r\n]/g, ' ')]));
      return sendHtml(reply, preferencesPage({ token: req.params.token, reader: r, defaultSize: deps.config.digest.size, error, values, feedback: await feedbackOf(r.id) }), 400);
    }
    const saved = await deps.readers.savePreferences(r.id, preferencesOf(req.body as PreferenceFields), consentOf(req, 'preferences-form-v1'));
    if (!saved) return sendError(req, reply, 404, 'There is no active subscription behind this link.', 'No subscription');
    if (wantsJson(req)) return view(saved);
    return sendHtml(reply, preferencesPage({ token: req.params.token, reader: saved, defaultSize: deps.config.digest.size, saved: true, feedback: await feedbackOf(saved.id) }));
  });
}
