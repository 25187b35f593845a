import { randomUUID } from 'node:crypto';
import type { ClaimedDelivery, DeliveryResult } from '../domain/delivery.js';
import type { Mailer, RawMessage, SendOutcome } from '../mail/mailer.js';
import type { Logger } from './logger.js';
import type { SendJob } from './queues.js';
import { createResultWriter, type ResultWriter } from './result-writer.js';
import { createPauseWatch } from './pause-watch.js';
import { createBreakers, createSendGates } from './send-gates.js';
import { domainOf, note, resultOf, SKIPPED, type Batch, type BatchTotals, type ProbeResult, type SendSettings } from './send-outcome.js';

/** The delivery rows, as the send pipeline sees them (db/deliveries-repo.ts and db/editions-repo.ts). */
export interface DeliveryStore {
  /** `probe`: claim from an edition the breaker paused (a probe's handful of messages). */
  claim(editionId: number, range: [number, number], limit: number, leaseSeconds: number, token: string, probe?: boolean): Promise<ClaimedDelivery[]>;
  extendLease(token: string): Promise<number>;
  /** Gives back every row still held under a claim whose answer never came (Postgres went away). */
  release(token: string): Promise<number>;
  record(results: DeliveryResult[]): Promise<void>;
  /** Editions paused now (by an operator, the complaint guard, another worker's breaker): their claimed rows stop. */
  pausedIds(): Promise<number[]>;
  /** Opens the breaker: the edition pauses until a probe passes (the runtime also tells a person). */
  pause(editionId: number, reason: string, stormSignature: string | null): Promise<boolean>;
  finish(editionId: number): Promise<void>;
}

/** One reader's message, personalized by substitution only; null when the render is missing. */
export type Compose = (editionId: number, d: ClaimedDelivery, date: Date) => Promise<{ raw: RawMessage; messageId: string } | null>;

export interface SendPipeline {
  sendBatch(job: SendJob): Promise<BatchTotals>;
  /** The breaker's probe of a paused edition: up to `n` real messages (see probe below). */
  probe(editionId: number, n: number, pausedSignature: string | null): Promise<ProbeResult>;
  /** Stops claiming at once; open transactions get `graceMs` to finish, then the mailer is closed under them. */
  stop(graceMs: number): Promise<void>;
  /** Gives up on results that could not be stored (called just before the process exits). */
  abandon(): void;
}

/**
 * The send pipeline: claims chunks of a range under a fresh claim token, keeps the claim alive while the
 * chunk is sent (a heartbeat every quarter of the lease; a chunk whose claim could not be kept stops),
 * and has each result stored before its slot takes the next message. A breaker per edition pauses it when the
 * fault is ours. On stop it claims nothing more and hands back what it has not started.
 */
export function createSendPipeline(
  ports: {
    store: DeliveryStore;
    mailer: Mailer;
    compose: Compose;
    log: Logger;
    now: () => Date;
    envelopeFrom: string;
    /** Told of each SMTP transaction: its outcome and how long it took (the metrics). */
    observe?: (outcome: SendOutcome, seconds: number) => void;
    /** Told when a pace changes: `scope` is 'relay' or a recipient domain, `limit` the messages it may have in flight. */
    observePace?: (scope: string, limit: number) => void;
  },
  s: SendSettings,
): SendPipeline {
  const { store, mailer, compose, log, envelopeFrom } = ports;
  const writer: ResultWriter = createResultWriter((r) => store.record(r), log, { flushAt: s.lanes, flushMs: s.resultGroupMs });
  // Process-wide: at most `lanes` messages between "handed to SMTP" and "result stored", however many jobs
  // run at once. That is the whole of what a crash can duplicate (see send-gates.ts).
  const gates = createSendGates(s.lanes, log, ports.observePace);
  const pausedHere = new Set<number>();
  const elsewhere = createPauseWatch(() => store.pausedIds());
  const isPaused = (editionId: number) => pausedHere.has(editionId) || elsewhere.has(editionId);
  let stopping = false;
  const inFlight = new Set<Promise<unknown>>();

  const breakerOf = createBreakers(s.breaker);

  /**
   * Sends one reader's message and stores its result before the slot is free again. Returns the SMTP outcome,
   * or null when nothing was sent (skipped, or the message could not be composed).
   */
  async function deliver(editionId: number, d: ClaimedDelivery, token: string, date: Date, batch: Batch | null): Promise<SendOutcome | null> {
    let result: DeliveryResult;
    let outcome: SendOutcome | null = null;
    if (d.unsendable) {
      result = { id: d.id, token, status: 'skipped', response: SKIPPED[d.unsendable] };
    } else {
      const message = await compose(editionId, d, date).catch((err: Error) => {
        log.error({ editionId, deliveryId: d.id, err: err.message }, 'could not compose a message');
        return null;
      });
      if (!message) result = { id: d.id, token, status: 'requeue', delayMs: s.transportDelayMs, response: 'not sent: its rendered message could not be read' };
      else {
        const domain = domainOf(d.email);
        // The domain's turn first, then the relay's: a message waiting for a slowed domain holds no relay slot.
        result = await gates.of(domain)(() =>
          gates.relay(async () => {
            const started = performance.now();
            outcome = await mailer.sendRaw({ from: envelopeFrom, to: d.email }, message.raw);
            ports.observe?.(outcome, (performance.now() - started) / 1000);
            const r = resultOf(d, token, outcome, message.messageId, s);
            await writer.write(r);
            return r;
          }),
        );
        const answered = outcome as SendOutcome | null;
        if (answered) gates.heard(domain, answered);
      }
    }
    if (!outcome) await writer.write(result);
    if (batch) note(batch, result);
    return outcome;
  }

  async function sendOne(editionId: number, d: ClaimedDelivery, token: string, date: Date, batch: Batch): Promise<void> {
    const outcome = await deliver(editionId, d, token, date, batch);
    if (!outcome) return;
    const trip = breakerOf(editionId, d.resumedAt).observe(
      outcome.ok
        ? { ok: true }
        : { ok: false, transport: outcome.class === 'transport', temporary: outcome.class === 'temporary', signature: outcome.signature, response: outcome.response },
    );
    if (trip && !pausedHere.has(editionId)) {
      pausedHere.add(editionId);
      log.error({ editionId, reason: trip.reason }, "edition paused: the fault is ours, not the readers'; the breaker probes the relay and resumes it once it answers");
      await store.pause(editionId, trip.reason, trip.stormSignature);
    }
  }

  async function sendChunk(editionId: number, claimed: ClaimedDelivery[], token: string, claimedAt: number, batch: Batch): Promise<void> {
    // One Date for the chunk: it is sent within seconds, and this keeps per-reader work to substitution.
    const date = ports.now();
    const leaseMs = s.leaseSeconds * 1000;
    // The claim is ours until this instant, measured from when we asked (before Postgres stamped it), with a
    // margin. Past it, another worker may hold the rows, so nothing more of the chunk is sent from here.
    let ownedUntil = claimedAt + leaseMs * 0.8;
    let lost = false;
    const heartbeat = setInterval(() => {
      const asked = performance.now();
      void store.extendLease(token).then(
        (n) => (n > 0 ? (ownedUntil = asked + leaseMs * 0.8) : (lost = true)),
        () => {},
      );
    }, leaseMs / 4);
    const unsent: ClaimedDelivery[] = [];
    const halted = () => stopping || isPaused(editionId) || lost || performance.now() > ownedUntil;
    let next = 0;
    const lane = async () => {
      while (next < claimed.length) {
        const d = claimed[next++]!;
        if (halted()) unsent.push(d);
        else await sendOne(editionId, d, token, date, batch);
      }
    };
    try {
      // allSettled: a lane that fails never takes the other lanes' results with it.
      const lanes = await Promise.allSettled(Array.from({ length: Math.min(s.lanes, claimed.length) }, lane));
      for (const l of lanes) if (l.status === 'rejected') log.error({ editionId, err: String(l.reason) }, 'a send lane failed');
      const why = stopping
        ? 'not sent: the worker was stopping'
        : isPaused(editionId)
          ? 'not sent: the edition is paused'
          : 'not sent: the claim could not be kept alive (its lease may have passed to another worker)';
      if (unsent.length && !stopping && !isPaused(editionId)) log.warn({ editionId, rows: unsent.length }, why);
      await Promise.all(unsent.map((d) => writer.write({ id: d.id, token, status: 'requeue', delayMs: 0, response: why }).then(() => void batch.totals.requeue++)));
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function sendBatch(job: SendJob): Promise<BatchTotals> {
    const totals: BatchTotals = { sent: 0, failed: 0, retry: 0, requeue: 0, skipped: 0, paused: false, retryInMs: null };
    const batch: Batch = { totals, waits: new Map() };
    while (!stopping) {
      const token = randomUUID();
      const claimedAt = performance.now();
      const claimed = await claimOrGiveBack(() => store.claim(job.editionId, [job.from, job.to], s.claimChunk, s.leaseSeconds, token), token);
      if (!claimed.length) break;
      // A claim only succeeds on an edition that is not paused: whatever this process paused was resumed.
      pausedHere.delete(job.editionId);
      elsewhere.forget(job.editionId);
      await sendChunk(job.editionId, claimed, token, claimedAt, batch);
      if (isPaused(job.editionId)) break;
    }
    totals.paused = isPaused(job.editionId);
    // Rows waiting for a retry mean the range is not done; the caller queues a job for the earliest of them.
    totals.retryInMs = totals.paused || stopping || !batch.waits.size ? null : Math.min(...batch.waits.values());
    await store.finish(job.editionId);
    return totals;
  }

  /**
   * A claim whose answer was lost (Postgres went away as it committed) may still hold rows under its token:
   * they are given back as soon as Postgres answers again, rather than left to the lease. The error is then
   * thrown on (the job is retried).
   */
  async function claimOrGiveBack(claim: () => Promise<ClaimedDelivery[]>, token: string): Promise<ClaimedDelivery[]> {
    try {
      return await claim();
    } catch (err) {
      const deadline = performance.now() + s.leaseSeconds * 1000;
      for (let attempt = 0; performance.now() < deadline; attempt++) {
        try {
          const n = await store.release(token);
          if (n) log.warn({ rows: n }, 'gave back the rows of a claim whose answer was lost');
          break;
        } catch {
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** attempt)));
        }
      }
      throw err;
    }
  }

  /**
   * The breaker's half-open step, after the probe's SMTP login passed: up to `n` real messages of the paused
   * edition, sent as any others (a failure on a paused edition goes back to the queue uncounted). It passes
   * when no answer blamed our side and none was the answer the edition paused on.
   */
  async function probe(editionId: number, n: number, pausedSignature: string | null): Promise<ProbeResult> {
    const token = randomUUID();
    const claimed = await claimOrGiveBack(() => store.claim(editionId, [1, Number.MAX_SAFE_INTEGER], n, s.leaseSeconds, token, true), token);
    if (!claimed.length) return { passed: true, sent: 0, tried: 0, why: 'nothing left to send' };
    const date = ports.now();
    const outcomes = await Promise.all(claimed.map((d) => deliver(editionId, d, token, date, null)));
    const answered = outcomes.filter((o): o is SendOutcome => o !== null);
    const ours = answered.find((o) => !o.ok && (o.class === 'transport' || (pausedSignature !== null && o.signature === pausedSignature)));
    const sent = answered.filter((o) => o.ok).length;
    if (ours && !ours.ok) return { passed: false, sent, tried: answered.length, why: `a probe message failed on our side again: ${ours.response}` };
    return { passed: true, sent, tried: answered.length, why: `${sent} of ${answered.length} probe messages accepted` };
  }

  return {
    probe,
    sendBatch(job) {
      elsewhere.begin();
      const p = sendBatch(job).finally(() => elsewhere.end());
      inFlight.add(p);
      return p.finally(() => inFlight.delete(p));
    },
    async stop(graceMs) {
      stopping = true;
      const grace = setTimeout(() => void mailer.close().catch(() => {}), graceMs);
      grace.unref();
      await Promise.allSettled([...inFlight]);
      clearTimeout(grace);
    },
    abandon: () => writer.abandon(),
  };
}
