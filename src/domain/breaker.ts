/**
 * The circuit breaker of one edition's sending, pure: it watches SMTP outcomes and says when to open (pause).
 * Two kinds of evidence that the cause is ours and not the readers': transport failures (auth, TLS, DNS,
 * our sender, timeouts), and a storm of permanent per-reader refusals that all look the same (a relay that
 * denies everyone, a 5.1.1 for every address). A trip pauses the edition; nobody is suppressed for it, and
 * the breaker's probes (jobs/recover.ts) close it again once the relay answers.
 *
 * Temporary answers (4xx) never trip it, however many: a storm of them is a server asking us to slow down
 * (Gmail's 421 4.7.28, Outlook's 451 4.7.500), which the pace does (domain/pace.ts), and the rows are retried.
 */
export interface BreakerSettings {
  /** Transport failures in a row that trip it. */
  consecutive: number;
  /** Share (0–1) of transport failures among the last `window` attempts that trips it. */
  transportRate: number;
  /** Share (0–1) of the last `window` attempts failing with one signature that trips it. */
  stormRate: number;
  window: number;
  /** Attempts seen before a share means anything. */
  minSample: number;
}

/**
 * One attempt's outcome; `transport` marks a failure on our side of the wire, `temporary` a 4xx (see
 * mail/smtp-outcome.ts).
 */
type Observation = { ok: true } | { ok: false; transport: boolean; temporary?: boolean; signature: string; response: string };

interface Trip {
  reason: string;
  /** Set for a storm: the rows that failed this way are the breaker's to undo, not the readers'. */
  stormSignature: string | null;
}

export interface Breaker {
  /** Feeds one outcome; returns a trip when this outcome is the one that proves the fault is ours. */
  observe(o: Observation): Trip | null;
}

export function createBreaker(s: BreakerSettings): Breaker {
  let inARow = 0;
  let window: Observation[] = [];
  const trip = (t: Trip): Trip => {
    inARow = 0;
    window = [];
    return t;
  };
  return {
    observe(o) {
      window.push(o);
      if (window.length > s.window) window.shift();
      if (o.ok || !o.transport) inARow = 0;
      else if (++inARow >= s.consecutive)
        return trip({ reason: `${inARow} transport failures in a row; last answer: ${o.response}`, stormSignature: null });
      if (o.ok || window.length < s.minSample) return null;
      const failures = window.filter((w): w is Extract<Observation, { ok: false }> => !w.ok);
      const transport = failures.filter((f) => f.transport).length;
      if (transport / window.length > s.transportRate)
        return trip({ reason: `${transport} of the last ${window.length} attempts failed on our side; last answer: ${o.response}`, stormSignature: null });
      if (o.transport || o.temporary) return null;
      const same = failures.filter((f) => !f.transport && !f.temporary && f.signature === o.signature).length;
      if (same >= s.minSample && same / window.length > s.stormRate)
        return trip({ reason: `${same} of the last ${window.length} attempts were refused the same way (${o.signature}); last answer: ${o.response}`, stormSignature: o.signature });
      return null;
    },
  };
}

/** A Postgres regular expression that matches stored SMTP answers with this signature ("550 5.1.1"). */
export function signaturePattern(signature: string): string {
  const [code, enhanced] = signature.split(' ');
  return `^${code}[ -]${enhanced ? `${enhanced.replace(/\./g, '\\.')}(\\s|$)` : ''}`;
}
