// Longest files first (longest-processing-time scheduling): on a clean clone vitest has no durations cached
// and starts larger files first, which left a one-minute fault test running alone at the end. These are the
// files that took 20 s or more in CI (.ci/run, 2026-12-08), longest first; the rest follow in vitest's order.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const HEAVY = [
  'test/reliability/worker-kill.test.ts',
  'test/reliability/worker-stop.test.ts',
  'test/reliability/smtp-faults.test.ts',
  'test/bench/benchmarks.test.ts',
  'test/reliability/service-restarts.test.ts',
  'test/integration/embedded-start.test.ts',
  'test/reliability/chaos.test.ts',
  'test/integration/ingest.test.ts',
  'test/integration/delivery.test.ts',
  'test/reliability/self-healing.test.ts',
  'test/browser/screenshots.test.ts',
  'test/postgres/compose-stack.test.ts',
  'test/integration/send-rate.test.ts',
  'test/postgres/upgrade.test.ts',
  'test/schedule/dst-simulation.test.ts',
  'test/deliverability/dkim-pieces.test.ts',
  'test/postgres/majors.test.ts',
  'test/deliverability/complaint-guard.test.ts',
  'test/browser/admin-console.test.ts',
  'test/security/signup-limits.test.ts',
  'test/postgres/doctor.test.ts',
];

export default class HeavyFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = HEAVY.indexOf(relative(f.project.config.root, f.moduleId));
      return i < 0 ? HEAVY.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
