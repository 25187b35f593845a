import { pino, type DestinationStream, type Logger } from 'pino';
import { maskAddresses } from '../domain/redact.js';
import { jobFields } from '../jobs/job-context.js';

/**
 * The service's logger: JSON lines; inside a job each line names the job (queue, jobId); no line holds a
 * whole address (SMTP answers quote them).
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const mask = (v: unknown) => (typeof v === 'string' && v.includes('@') ? maskAddresses(v) : v);
  return pino(
    {
      level,
      base: undefined,
      mixin: () => jobFields(),
      formatters: { log: (fields) => Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, mask(v)])) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map(mask) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
