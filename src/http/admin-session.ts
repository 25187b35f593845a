import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { safeEqual } from '../domain/tokens.js';

export const SESSION_COOKIE = 'papermail_admin';
/** How long a console sign-in lasts. */
export const SESSION_SECONDS = 12 * 3600;

/**
 * Console sessions, stateless: the cookie (signed by @fastify/cookie with SECRET) holds the sign-in time and a
 * fingerprint of the admin token, so a new ADMIN_TOKEN signs everyone out. HttpOnly, SameSite=Strict, and
 * Secure when the public address is https.
 */
export function adminSessions(opts: { secret: string; adminToken: string; secure: boolean; now?: () => number }) {
  const now = opts.now ?? Date.now;
  const fingerprint = createHmac('sha256', opts.secret).update(`admin-session|${opts.adminToken}`).digest('base64url').slice(0, 22);
  const cookieOptions = { path: '/admin', httpOnly: true, sameSite: 'strict' as const, secure: opts.secure, signed: true };
  return {
    /** True when the token is the admin token (compared in constant time). */
    tokenMatches: (token: string) => safeEqual(token, opts.adminToken),
    start(reply: FastifyReply) {
      reply.setCookie(SESSION_COOKIE, `${Math.floor(now() / 1000)}.${fingerprint}`, { ...cookieOptions, maxAge: SESSION_SECONDS });
    },
    end(reply: FastifyReply) {
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
    },
    /** True when the request carries a live session cookie of this admin token. */
    valid(req: FastifyRequest): boolean {
      const cookie = req.cookies[SESSION_COOKIE];
      if (!cookie) return false;
      const unsigned = req.unsignCookie(cookie);
      if (!unsigned.valid || !unsigned.value) return false;
      const m = /^(\d{1,12})\.([A-Za-z0-9_-]{22})$/.exec(unsigned.value);
      if (!m || !safeEqual(m[2]!, fingerprint)) return false;
      const age = Math.floor(now() / 1000) - Number(m[1]);
      return age >= -300 && age <= SESSION_SECONDS;
    },
  };
}

export type AdminSessions = ReturnType<typeof adminSessions>;

/**
 * A state-changing request from another site: its Origin (or, without one, Sec-Fetch-Site) names a site that
 * is not ours. Browsers send one of them with every form POST; a request with neither is not a browser's.
 */
export function crossSite(req: FastifyRequest, publicUrl: string): boolean {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null') {
    const ours = new Set([new URL(publicUrl).origin, `${req.protocol}://${req.host}`]);
    return !ours.has(origin);
  }
  if (origin === 'null') return true;
  const site = req.headers['sec-fetch-site'];
  return typeof site === 'string' && site !== 'same-origin' && site !== 'none';
}
