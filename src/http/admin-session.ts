import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/cookie';
import { safeEqual } from '../domain/tokens.js';

export const SESSION_COOKIE = 'papermail_admin';
/** How long a console sign-in lasts at most, however busy. */
const SESSION_SECONDS = 12 * 3600;

/** Where console sessions live (a table): only a hash of each session's id is stored. */
export interface SessionStore {
  /** Stores a new session. */
  create(session: { idHash: string; tokenPrint: string; ip: string | null; userAgent: string | null }): Promise<void>;
  /** True when the session exists for this admin token, was seen within `idleSeconds` and began within `maxSeconds`; marks it seen. */
  touch(idHash: string, tokenPrint: string, idleSeconds: number, maxSeconds: number): Promise<boolean>;
  /** Ends one session. */
  end(idHash: string): Promise<void>;
  /** Ends every session; returns how many there were. */
  endAll(): Promise<number>;
}

const hashOf = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * Console sessions, kept on the server: the cookie (HttpOnly, SameSite=Strict, Secure on https, signed by
 * @fastify/cookie with SECRET) holds a random id, and the store a hash of it. Signing out deletes the row, so
 * a copied cookie is worth nothing afterwards; a session idle for `idleMinutes` ends, as does every session
 * after 12 hours, and a new ADMIN_TOKEN ends them all (each row carries a fingerprint of the token).
 */
export function adminSessions(opts: { store: SessionStore; secret: string; adminToken: string; secure: boolean; idleMinutes: number }) {
  const tokenPrint = createHmac('sha256', opts.secret).update(`admin-session|${opts.adminToken}`).digest('base64url').slice(0, 22);
  const cookieOptions = { path: '/admin', httpOnly: true, sameSite: 'strict' as const, secure: opts.secure, signed: true };
  /** The session id in the request's cookie, when it carries a well-formed signed one. */
  const idOf = (req: FastifyRequest): string | null => {
    const cookie = req.cookies[SESSION_COOKIE];
    if (!cookie) return null;
    const unsigned = req.unsignCookie(cookie);
    return unsigned.valid && unsigned.value && /^[A-Za-z0-9_-]{43}$/.test(unsigned.value) ? unsigned.value : null;
  };
  return {
    /** True when the token is the admin token (compared in constant time). */
    tokenMatches: (token: string) => safeEqual(token, opts.adminToken),
    async start(req: FastifyRequest, reply: FastifyReply) {
      const id = randomBytes(32).toString('base64url');
      const agent = req.headers['user-agent'];
      await opts.store.create({ idHash: hashOf(id), tokenPrint, ip: req.ip ?? null, userAgent: typeof agent === 'string' ? agent.slice(0, 300) : null });
      reply.setCookie(SESSION_COOKIE, id, { ...cookieOptions, maxAge: SESSION_SECONDS });
    },
    async end(req: FastifyRequest, reply: FastifyReply) {
      const id = idOf(req);
      if (id) await opts.store.end(hashOf(id));
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
    },
    /** Ends every console session, this one included. */
    async endAll(reply: FastifyReply): Promise<number> {
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return opts.store.endAll();
    },
    /** True when the request carries a live session of this admin token. */
    async valid(req: FastifyRequest): Promise<boolean> {
      const id = idOf(req);
      return id !== null && opts.store.touch(hashOf(id), tokenPrint, opts.idleMinutes * 60, SESSION_SECONDS);
    },
  };
}


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
