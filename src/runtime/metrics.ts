import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { SendOutcome } from '../mail/mailer.js';

export interface Metrics {
  readonly registry: Registry;
  /** One SMTP transaction of this process: its outcome (sent, or the failure class) and how long it took. */
  observeSend(outcome: SendOutcome, seconds: number): void;
  /** A pace of this process changed: 'relay' or a recipient domain, and the messages it may now have in flight. */
  observePace(scope: string, limit: number): void;
}

/**
 * Prometheus metrics (prom-client). Counts that live in Postgres or the queues (subscribers, deliveries,
 * editions, queue depth) are read at each scrape, so any API process reports the whole installation; SMTP
 * outcomes and latency are this process's own (the worker's, in `npm start`).
 */
export function createMetrics(deps: { pool: pg.Pool; queues: Record<string, Queue>; sendWindow: number }): Metrics {
  const registry = new Registry();
  const maxWindow = deps.sendWindow;
  collectDefaultMetrics({ register: registry, prefix: 'papermail_' });
  const byStatus = (name: string, help: string, table: string) =>
    new Gauge({
      name,
      help,
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        const res = await deps.pool.query<{ status: string; n: number }>(`select status::text as status, count(*)::int as n from ${table} group by status`);
        this.reset();
        for (const r of res.rows) this.set({ status: r.status }, r.n);
      },
    });
  byStatus('papermail_subscribers', 'Subscribers by status.', 'subscribers');
  byStatus('papermail_deliveries', 'Delivery rows by status (queued, sending, sent, failed, skipped).', 'deliveries');
  byStatus('papermail_editions', 'Editions by status.', 'editions');
  new Gauge({
    name: 'papermail_suppressions',
    help: 'Suppressed addresses by reason.',
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      const res = await deps.pool.query<{ reason: string; n: number }>('select reason, count(*)::int as n from suppressions group by reason');
      this.reset();
      for (const r of res.rows) this.set({ reason: r.reason }, r.n);
    },
  });
  new Gauge({
    name: 'papermail_last_edition_seconds',
    help: 'How long the latest sent edition of each frequency took, from creation to its last final row.',
    labelNames: ['frequency'],
    registers: [registry],
    async collect() {
      const res = await deps.pool.query<{ frequency: string; s: number }>(`
        select distinct on (frequency) frequency::text as frequency, extract(epoch from finished_at - created_at)::float as s
        from editions where status = 'sent' and finished_at is not null order by frequency, finished_at desc`);
      this.reset();
      for (const r of res.rows) this.set({ frequency: r.frequency }, r.s);
    },
  });
  new Gauge({
    name: 'papermail_queue_jobs',
    help: 'BullMQ jobs by queue and state.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [name, q] of Object.entries(deps.queues)) {
        const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
        for (const [state, n] of Object.entries(counts)) this.set({ queue: name, state }, n);
      }
    },
  });
  new Gauge({
    name: 'papermail_ingest_last_success_age_seconds',
    help: 'Seconds since each paper source last stored its papers (absent until it has once).',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      const res = await deps.pool.query<{ source: string; s: number }>(`select source, extract(epoch from now() - last_ok_at)::float as s from source_runs where last_ok_at is not null`);
      this.reset();
      for (const r of res.rows) this.set({ source: r.source }, r.s);
    },
  });
  new Gauge({
    name: 'papermail_ingest_failing',
    help: 'Paper sources whose last fetch failed (1), or succeeded (0).',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      const res = await deps.pool.query<{ source: string; failing: boolean }>(`select source, error is not null as failing from source_runs`);
      this.reset();
      for (const r of res.rows) this.set({ source: r.source }, r.failing ? 1 : 0);
    },
  });
  new Gauge({
    name: 'papermail_editions_paused',
    help: 'Editions paused now, by who paused them: breaker (probed, resumes by itself), operator, complaints.',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      const res = await deps.pool.query<{ kind: string; n: number }>(`select coalesce(pause_kind, 'breaker') as kind, count(*)::int as n from editions where status = 'paused' group by 1`);
      this.reset();
      for (const k of ['breaker', 'operator', 'complaints']) this.set({ kind: k }, 0);
      for (const r of res.rows) this.set({ kind: r.kind }, r.n);
    },
  });
  new Gauge({
    name: 'papermail_edition_complaint_rate',
    help: 'Complaints tied to an edition, as a share of what it sent: editions of the last 30 days that have complaints (the guard pauses past COMPLAINT_PAUSE_RATE).',
    labelNames: ['edition'],
    registers: [registry],
    async collect() {
      const res = await deps.pool.query<{ id: string; rate: number }>(`
        select c.edition_id::text as id, c.n::float8 / greatest(1, (select count(*) from deliveries d where d.edition_id = c.edition_id and d.status = 'sent'))::float8 as rate
        from (select edition_id, count(*) as n from bounce_events where kind = 'complaint' and edition_id is not null and at > now() - interval '30 days' group by edition_id) c`);
      this.reset();
      for (const r of res.rows) this.set({ edition: r.id }, r.rate);
    },
  });
  const relayWindow = new Gauge({ name: 'papermail_send_window', help: "Messages this process may have in flight to the relay: the pool's size, halved by each storm of temporary answers.", registers: [registry] });
  relayWindow.set(maxWindow);
  const slowedDomains = new Gauge({ name: 'papermail_send_slowed_domains', help: 'Recipient domains this process sends to below full pace, because they answered with temporary refusals.', registers: [registry] });
  const paceChanges = new Counter({ name: 'papermail_send_pace_changes_total', help: 'Changes of a pace (the relay or a recipient domain) in this process: down (a storm of 4xx) or up.', labelNames: ['direction'], registers: [registry] });
  const domainLimits = new Map<string, number>();
  let relayLimit: number | null = null;
  const sends = new Counter({ name: 'papermail_sends_total', help: 'SMTP transactions of this process, by outcome: sent, dead, refused, temporary, transport.', labelNames: ['outcome'], registers: [registry] });
  const latency = new Histogram({
    name: 'papermail_send_seconds',
    help: 'Time from handing a message to SMTP to its answer, in this process.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  return {
    registry,
    observeSend(outcome, seconds) {
      sends.inc({ outcome: outcome.ok ? 'sent' : outcome.class });
      latency.observe(seconds);
    },
    observePace(scope, limit) {
      const before = scope === 'relay' ? relayLimit : (domainLimits.get(scope) ?? null);
      paceChanges.inc({ direction: before !== null && limit > before ? 'up' : 'down' });
      if (scope === 'relay') {
        relayLimit = limit;
        relayWindow.set(limit);
      } else {
        domainLimits.set(scope, limit);
        if (domainLimits.size > 1000) domainLimits.delete(domainLimits.keys().next().value!);
        slowedDomains.set([...domainLimits.values()].filter((l) => l < maxWindow).length);
      }
    },
  };
}
