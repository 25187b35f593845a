import { describeSchedule, WEEKDAYS } from '../../domain/preferences.js';
import type { MarkedPaper, Subscriber } from '../../domain/reader.js';
import { markedList } from './feedback.js';
import { html, page, raw, type Html, type Page } from './layout.js';

/**
 * The page's one script: suggests the browser's time zone, only while the reader has not chosen one
 * (data-suggest). The CSP allows it by its hash, and nothing else.
 */
export const TIMEZONE_SCRIPT =
  "(function () { var tz = document.getElementById('timezone'); if (!tz || !tz.hasAttribute('data-suggest')) return; try { var mine = Intl.DateTimeFormat().resolvedOptions().timeZone; if (mine) tz.value = mine; } catch (e) {} })();";

const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** Every IANA zone this runtime knows, for the searchable list (a datalist: type to filter). */
const ZONES: readonly string[] = (() => {
  const list = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return list.includes('UTC') ? list : ['UTC', ...list];
})();

/** The preference center: plain HTML that works without JavaScript; a small script only suggests the time zone. */
export function preferencesPage(opts: {
  token: string;
  reader: Subscriber;
  defaultSize: number;
  error?: string;
  saved?: boolean;
  values?: Record<string, string>;
  /** The papers the reader marked from their digests, each with the feedback link its undo posts to. */
  feedback?: FeedbackLists;
}): Page {
  const r = opts.reader;
  const v = {
    frequency: opts.values?.frequency ?? r.frequency,
    topics: opts.values?.topics ?? r.topics.join(', '),
    maxPapers: opts.values?.max_papers ?? (r.maxPapers === null ? '' : String(r.maxPapers)),
    sendHour: opts.values?.send_hour ?? String(r.sendHour),
    sendDay: opts.values?.send_day ?? String(r.sendDay),
    timezone: opts.values?.timezone ?? r.timezone,
  };
  const radio = (value: string, label: string): Html =>
    html`<label class="choice"><input type="radio" name="frequency" value="${value}"${v.frequency === value ? html` checked` : ''}> ${label}</label>`;
  const base = `/preferences/${opts.token}`;
  return page(
    'Your preferences',
    html`<div class="card">
  <h1>Your preferences</h1>
  <p class="muted">For ${r.email}</p>
  ${opts.saved ? html`<p role="status"><strong>Saved.</strong> Your next digest follows these settings.</p>` : ''}
  ${opts.error ? html`<p class="error" role="alert" id="prefs-error">${opts.error}</p>` : ''}
  <form method="post" action="${base}">
    <fieldset>
      <legend>How often?</legend>
      ${radio('daily', 'Daily')}
      ${radio('weekly', 'Weekly (Mondays)')}
      ${radio('paused', 'Paused: send nothing for now')}
    </fieldset>
    <label for="topics">Topics</label>
    <input type="text" id="topics" name="topics" value="${v.topics}" maxlength="1200" placeholder="e.g. diffusion, reinforcement learning, cs.CL" aria-describedby="topics-help">
    <p class="muted" id="topics-help">Words, phrases or arXiv categories, separated by commas. Empty means everything trending.</p>
    <label for="max_papers">Papers per digest</label>
    <input type="number" id="max_papers" name="max_papers" min="1" max="30" value="${v.maxPapers}" placeholder="${opts.defaultSize}">
    <label for="send_hour">Hour of delivery (your time)</label>
    <select id="send_hour" name="send_hour">${HOURS.map((h) => html`<option value="${h}"${String(h) === v.sendHour ? html` selected` : ''}>${String(h).padStart(2, '0')}:00</option>`)}</select>
    <label for="send_day">Day of a weekly digest</label>
    <select id="send_day" name="send_day">${WEEKDAYS.map((d, i) => html`<option value="${i + 1}"${String(i + 1) === v.sendDay ? html` selected` : ''}>${d}</option>`)}</select>
    <label for="timezone">Time zone</label>
    <input type="text" id="timezone" name="timezone" value="${v.timezone}" maxlength="64" autocomplete="off" list="zones" aria-describedby="tz-help"${r.timezoneChosen || opts.values?.timezone ? '' : html` data-suggest`}>
    <datalist id="zones">${ZONES.map((z) => html`<option value="${z}">`)}</datalist>
    <p class="muted" id="tz-help">Type to search, e.g. Berlin or New_York. Now: ${describeSchedule(r)}.</p>
    <p><button type="submit">Save preferences</button></p>
  </form>
  <script>${raw(TIMEZONE_SCRIPT)}</script>
  ${opts.feedback ? feedbackSection(opts.feedback) : ''}
  ${dataLinkForm(`${base}/data-link`)}
</div>`,
  );
}

/** The reader's "More like this" and "Less like this" choices, as the preference center lists them. */
export interface FeedbackLists {
  liked: { item: MarkedPaper; action: string }[];
  hidden: { item: MarkedPaper; action: string }[];
  readingList: string;
}

function feedbackSection(f: FeedbackLists): Html {
  return html`<h2>Your ranking</h2>
  <p class="muted">Press "More like this" or "Less like this" under a paper in a digest: your next digests put papers like it higher or lower. Undo any choice here.</p>
  <h3>More like these</h3>
  ${markedList(f.liked, 'None yet.')}
  <p><a href="${f.readingList}">Your reading list</a>, with BibTeX and RIS export.</p>
  <h3>Hidden</h3>
  ${markedList(f.hidden, 'None.')}`;
}

/** "Email me a link to my data": the only way from an old link to the export and the erasure. */
export function dataLinkForm(action: string): Html {
  return html`<h2>Your data</h2>
  <p class="muted">To download everything we store about you, or to erase it, we email a link to this address. It works for one hour.</p>
  <form method="post" action="${action}"><button type="submit" class="secondary">Email me a link to download or erase my data</button></form>`;
}

/** The preferences link of a reader who unsubscribed: their data is still here, and so is the way back. */
export function unsubscribedPage(token: string, email: string): Page {
  return page(
    'You are unsubscribed',
    html`<div class="card">
  <h1>You are unsubscribed</h1>
  <p>No digests go to ${email}. Changed your mind? <a href="/">Subscribe again</a>.</p>
  ${dataLinkForm(`/preferences/${token}/data-link`)}
</div>`,
  );
}
