import { createHash } from 'node:crypto';
import type { FastifyHelmetOptions } from '@fastify/helmet';
import { TIMEZONE_SCRIPT } from './pages/preferences.js';

/**
 * Security headers on every answer. The CSP runs no script but our own files and the preferences page's one
 * inline script, by its hash, so text from a feed can never run even if it escaped escaping; no page can be
 * framed, forms post only to us, and no URL (they carry tokens) leaks through a Referer.
 */
export const SECURITY_HEADERS = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", `'sha256-${createHash('sha256').update(TIMEZONE_SCRIPT).digest('base64')}'`],
      // MJML writes style attributes, which a hash cannot allow; styles cannot run code.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'https:'],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
  crossOriginEmbedderPolicy: false,
} satisfies FastifyHelmetOptions;

/** The same, for a page our own pages frame (the dev inbox's HTML part): framed by us, and by nobody else. */
export const FRAMED_BY_US = {
  ...SECURITY_HEADERS,
  contentSecurityPolicy: { directives: { ...SECURITY_HEADERS.contentSecurityPolicy.directives, frameAncestors: ["'self'"] } },
  frameguard: { action: 'sameorigin' as const },
} satisfies FastifyHelmetOptions;
