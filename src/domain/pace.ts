/**
 * The pace of sending, pure: how many messages may be in flight at once, adjusted by what the servers answer
 * (additive increase, multiplicative decrease, as TCP does with its window). A storm of temporary answers
 * (a server throttling us) halves the window; good answers widen it again by one every `increaseAfter`. The
 * send pipeline keeps one for the relay and one per recipient domain; the rate of sending follows the window.
 */
export interface PaceSettings {
  /** The widest window (the pool's connections). */
  max: number;
  /** Answers looked at to judge a storm. */
  window: number;
  /** Share (0–1) of temporary answers among the last `window` that halves the window. */
  threshold: number;
  /** Answers seen before a share means anything. */
  minSample: number;
  /** Good answers in a row that widen the window by one. */
  increaseAfter: number;
}

export const DEFAULT_PACE: Omit<PaceSettings, 'max'> = { window: 40, threshold: 0.25, minSample: 8, increaseAfter: 20 };

interface PaceChange {
  from: number;
  to: number;
  /** Why, for the log: the share of temporary answers, or the good answers that widened it. */
  why: string;
}

export interface Pace {
  readonly limit: number;
  /** Feeds one answer (true: temporary, a 4xx); returns the change when the window moved. */
  observe(temporary: boolean, answer?: string): PaceChange | null;
}

export function createPace(s: PaceSettings): Pace {
  let limit = s.max;
  let recent: boolean[] = [];
  let good = 0;
  // After a decrease, the answers of messages sent before it are still coming: wait for a window's worth of
  // new ones (as many as were in flight) before judging again, so that one storm halves the window once.
  let settling = 0;
  return {
    get limit() {
      return limit;
    },
    observe(temporary, answer) {
      recent.push(temporary);
      if (recent.length > s.window) recent.shift();
      if (settling > 0) settling--;
      if (!temporary) {
        if (++good >= s.increaseAfter && limit < s.max) {
          good = 0;
          return { from: limit, to: ++limit, why: `${s.increaseAfter} good answers in a row` };
        }
        return null;
      }
      good = 0;
      const share = recent.filter(Boolean).length / recent.length;
      if (settling > 0 || recent.length < s.minSample || share <= s.threshold || limit === 1) return null;
      const from = limit;
      limit = Math.max(1, Math.floor(limit / 2));
      settling = from;
      recent = [];
      return { from, to: limit, why: `${Math.round(share * 100)} % of recent answers were temporary${answer ? ` (${answer.slice(0, 80)})` : ''}` };
    },
  };
}
