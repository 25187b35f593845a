import type { FastifyInstance, FastifySchema } from 'fastify';
import type { SchemaObject } from 'ajv';
import { createAjv, messageOf } from '../domain/schema-check.js';

/**
 * Requests are validated by their route's schema alone, with Ajv as domain/schema-check.ts configures it:
 * bodies as they come (a JSON number is not text, nor an array a number), query strings and path parameters
 * coerced from their text. Answers are written with JSON.stringify: response schemas describe them in
 * /openapi.json and never drop a field.
 */
export function useSchemas(app: FastifyInstance): void {
  const bodies = createAjv({ coerce: false });
  const text = createAjv({ coerce: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : text).compile(schema as SchemaObject));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
}

/** A route's description: its summary and tags, its parts, its answers. */
export type RouteSchema = FastifySchema & { summary: string; tags: string[]; security?: Record<string, string[]>[] };

/** What a person is told of a request its schema refused: the check's own words, else Ajv's with the field. */
export const validationMessage = (err: { validation?: Parameters<typeof messageOf>[0]; message: string }) =>
  messageOf(err.validation ?? []) ?? `Invalid request: ${err.message.replace(/^body\/?/, '').replace(/^(params|querystring)\/?/, '')}.`;
