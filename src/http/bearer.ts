import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../domain/tokens.js';

/** Failed attempts per client; past the allowance the client waits (bound to Postgres counters by the runtime). */
export interface FailureCounter {
  /** Milliseconds this client must wait before trying again; 0 when it may. */
  wait(client: string): Promise<number>;
  /** Counts one failed attempt. */
  fail(client: string): Promise<void>;
}

/** The token of an `Authorization: Bearer` header, or null. */
const bearerOf = (req: FastifyRequest) => /^Bearer\s+(\S+)\s*$/i.exec(String(req.headers.authorization ?? ''))?.[1] ?? null;

/**
 * Lets a request through when it carries `Authorization: Bearer <expected>` (compared in constant time);
 * answers 401 otherwise. A client that presented ten wrong tokens within a minute gets 429 with Retry-After
 * until the minute is over, whatever it presents: a token cannot be guessed here faster than through the
 * console's sign-in form. Returns true when the request may go on.
 */
export async function admitBearer(req: FastifyRequest, reply: FastifyReply, expected: string, failures: FailureCounter, what: string): Promise<boolean> {
  const client = req.ip ?? 'unknown';
  const wait = await failures.wait(client);
  if (wait > 0) {
    const seconds = Math.ceil(wait / 1000);
    await reply.code(429).header('retry-after', String(seconds)).send({ error: `Too many wrong tokens from your address: try again in ${seconds} s.`, statusCode: 429 });
    return false;
  }
  const given = bearerOf(req);
  if (given && safeEqual(given, expected)) return true;
  if (given) await failures.fail(client);
  await reply.code(401).header('www-authenticate', 'Bearer').send({ error: `A valid ${what} token is required.`, statusCode: 401 });
  return false;
}
