import type { Tokens } from './tokens.js';

// The links readers follow, which mail and pages both carry: each signed for its reader and its purpose.

/** Host of the public URL, shown to readers ("you subscribed at …"). */
export function siteHost(publicUrl: string): string {
  return new URL(publicUrl).host;
}

/**
 * A reader's feedback link on one paper: the paper in the path, and a token signed for this reader and this
 * paper. The digest adds `?choice=more` or `?choice=less`.
 */
export function feedbackUrl(publicUrl: string, tokens: Tokens, subscriberId: number, paperId: string, issuedAt?: number): string {
  return `${publicUrl}/feedback/${encodeURIComponent(paperId)}/${tokens.sign(subscriberId, 'feedback', issuedAt, paperId)}`;
}

/** A reader's reading list (the papers they liked), a link that only shows. */
export function readingListUrl(publicUrl: string, tokens: Tokens, subscriberId: number): string {
  return `${publicUrl}/reading-list/${tokens.sign(subscriberId, 'reading-list')}`;
}

/** A reader's personal links, the only per-reader part of a digest besides the address and the feedback links. */
export function readerLinks(publicUrl: string, tokens: Tokens, subscriberId: number) {
  return {
    unsubscribeUrl: `${publicUrl}/unsubscribe/${tokens.sign(subscriberId, 'unsubscribe')}`,
    preferencesUrl: `${publicUrl}/preferences/${tokens.sign(subscriberId, 'preferences')}`,
  };
}
