import type { FormGuard } from '../signup-guard.js';
import { HONEYPOT } from '../signup-guard.js';
import { html, page, type Html, type Page } from './layout.js';

export interface SignupFormOptions {
  email?: string;
  frequency?: string;
  topics?: string;
  error?: string;
  compact?: boolean;
  /** The bot guard's fields; the form works without them (a plain post is judged by the rate limits). */
  guard?: FormGuard;
}

/** The guard's hidden fields, and the script that waits out the minimum fill time (and solves the proof-of-work). */
const guardFields = (g: FormGuard): Html => html`<div class="hp" aria-hidden="true"><label for="${HONEYPOT}">Leave this empty</label><input type="text" id="${HONEYPOT}" name="${HONEYPOT}" tabindex="-1" autocomplete="off" value=""></div>
  <input type="hidden" name="form_ts" value="${g.stamp}">${g.pow ? html`
  <input type="hidden" name="altcha" value="">` : ''}`;

/** The signup form: plain HTML, posts to /subscribe, works without JavaScript. */
export function signupForm(opts: SignupFormOptions = {}): Html {
  const freq = opts.frequency === 'weekly' ? 'weekly' : 'daily';
  const g = opts.guard;
  return html`<form method="post" action="/subscribe" novalidate${g ? html` data-min-fill="${g.minFillSeconds}"` : ''}${g?.pow ? html` data-pow="${g.pow}"` : ''}>
  ${g ? guardFields(g) : ''}
  <input type="hidden" name="timezone" value="">
  ${opts.error ? html`<p class="error" role="alert" id="signup-error">${opts.error}</p>` : ''}
  <label for="email">Email address</label>
  <input type="email" id="email" name="email" required maxlength="254" autocomplete="email" inputmode="email" value="${opts.email ?? ''}"${opts.error ? html` aria-describedby="signup-error"` : ''}>
  <fieldset>
    <legend>How often?</legend>
    <label class="choice"><input type="radio" name="frequency" value="daily"${freq === 'daily' ? html` checked` : ''}> Daily: the day's top papers</label>
    <label class="choice"><input type="radio" name="frequency" value="weekly"${freq === 'weekly' ? html` checked` : ''}> Weekly: the week's best</label>
  </fieldset>
  <label for="topics">Topics <span class="muted">(optional)</span></label>
  <input type="text" id="topics" name="topics" maxlength="1200" value="${opts.topics ?? ''}" placeholder="e.g. diffusion, reinforcement learning, cs.CL" aria-describedby="topics-help">
  <p class="muted" id="topics-help">Only papers about these, separated by commas. Empty means everything trending.</p>
  <button type="submit">${opts.compact ? 'Subscribe again' : 'Subscribe'}</button>
</form>${g ? html`
<script type="module" src="/assets/signup.js"></script>` : ''}`;
}

/** GET / */
export function signupPage(opts: Omit<SignupFormOptions, 'compact'> = {}): Page {
  return page(
    'Trending papers in your inbox',
    html`<div class="card">
  <h1>Trending papers in your inbox</h1>
  <p>The research community's most upvoted new papers, each with its abstract and links, once a day or once a week.</p>
  ${signupForm(opts)}
  <p class="muted">We send a confirmation email first. Every digest has a one-click unsubscribe link. <a href="/archive">Past editions</a>.</p>
</div>`,
  );
}
