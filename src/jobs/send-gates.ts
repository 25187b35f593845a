import pLimit, { type LimitFunction } from 'p-limit';
import { createBreaker, type Breaker, type BreakerSettings } from '../domain/breaker.js';
import { createPace, DEFAULT_PACE, type Pace } from '../domain/pace.js';
import type { SendOutcome } from '../mail/mailer.js';
import type { Logger } from './logger.js';

/** A turnstile: at most `limit.concurrency` messages in flight, moved by the pace of what the server answers. */
interface Gate {
  limit: LimitFunction;
  pace: Pace;
}

// Domains whose pace is kept; past it the oldest is forgotten (it starts again at full pace).
const PACED_DOMAINS = 1000;

/**
 * The send pipeline's gates, process-wide: the relay's (at most `lanes` messages between "handed to SMTP" and
 * "result stored", however many jobs run at once) and one per recipient domain. Temporary refusals narrow a
 * gate (the relay's when the relay asks, a domain's when that domain does); acceptance widens it again.
 */
export function createSendGates(lanes: number, log: Logger, observePace?: (scope: string, limit: number) => void) {
  const gate = (): Gate => ({ limit: pLimit(lanes), pace: createPace({ max: lanes, ...DEFAULT_PACE }) });
  const relay = gate();
  const domains = new Map<string, Gate>();
  /** Feeds an answer to a pace; a change moves its limit, and is logged and measured. */
  const pace = (scope: string, g: Gate, temporary: boolean, answer: string) => {
    const change = g.pace.observe(temporary, answer);
    if (!change) return;
    g.limit.concurrency = change.to;
    observePace?.(scope, change.to);
    (change.to < change.from ? log.warn : log.info).call(log, { scope, from: change.from, to: change.to, why: change.why }, change.to < change.from ? 'sending slowed: a server asks us to' : 'sending speeds up again');
  };
  return {
    relay: relay.limit,
    /** The gate of a recipient domain. */
    of(domain: string): LimitFunction {
      let g = domains.get(domain);
      if (!g) {
        g = gate();
        domains.set(domain, g);
        if (domains.size > PACED_DOMAINS) domains.delete(domains.keys().next().value!);
      }
      return g.limit;
    },
    /** An answer from a message to `domain`: acceptance and temporary refusals move the domain's and the relay's pace. */
    heard(domain: string, answer: SendOutcome): void {
      if (!answer.ok && answer.class !== 'temporary') return;
      const g = domains.get(domain);
      if (g) pace(domain, g, !answer.ok, answer.response);
      pace('relay', relay, !answer.ok, answer.response);
    },
  };
}

/** One breaker per edition and resume (a resumed edition starts with a closed breaker); the latest 64 are kept. */
export function createBreakers(settings: BreakerSettings): (editionId: number, resumedAt: number) => Breaker {
  const breakers = new Map<string, Breaker>();
  return (editionId, resumedAt) => {
    const key = `${editionId}:${resumedAt}`;
    let b = breakers.get(key);
    if (!b) {
      b = createBreaker(settings);
      breakers.set(key, b);
      if (breakers.size > 64) breakers.delete(breakers.keys().next().value!);
    }
    return b;
  };
}
