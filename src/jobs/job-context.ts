import { AsyncLocalStorage } from 'node:async_hooks';

/** The job a piece of work belongs to, so that every log line written while it runs names it. */
export interface JobFields {
  queue: string;
  jobId: string | undefined;
}

const current = new AsyncLocalStorage<JobFields>();

/** Runs a job's processor with its queue and id in context. */
export function inJob<T>(fields: JobFields, fn: () => Promise<T>): Promise<T> {
  return current.run(fields, fn);
}

/** The running job's fields, for the logger's mixin; empty outside a job. */
export function jobFields(): Partial<JobFields> {
  return current.getStore() ?? {};
}
