import { Ajv, type ErrorObject, type SchemaObject, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import { FIELD_CHECKS, type CheckName } from './checks.js';
import type { Parsed } from './parsed.js';

/**
 * The one validator of requests: JSON Schema (Ajv), with two annotations of ours that OpenAPI carries as
 * extensions. `x-check` names a check of domain/checks.ts, which says what is wrong in a person's words;
 * `x-messages` gives the words for a standard keyword that fails (`{ required: 'Please enter …' }`).
 * The same schemas validate HTTP requests (Fastify's validator compiler, http/validation.ts), describe them
 * in /openapi.json, and validate CSV rows on import.
 *
 * `coerce`: query strings and path parameters are text, so their numbers and booleans are coerced; a body's
 * are not (a JSON `[7]` for an hour is refused, not taken for 7).
 */
export function createAjv(opts: { coerce: boolean }): Ajv {
  const ajv = new Ajv({
    coerceTypes: opts.coerce ? 'array' : false,
    useDefaults: true,
    // As Fastify's own: a property an `additionalProperties: false` schema does not name is dropped.
    removeAdditional: true,
    allErrors: false,
    verbose: true,
    allowUnionTypes: true,
    strict: false,
  });
  // ajv-formats is CommonJS: its plugin is the module's `default` (also the module itself).
  ajvFormats.default(ajv);
  ajv.addVocabulary(['x-messages']);
  ajv.addKeyword({
    keyword: 'x-check',
    schemaType: 'string',
    errors: true,
    validate: function check(name: CheckName, data: unknown, _parent?: SchemaObject, cxt?: { parentDataProperty: string | number }) {
      const field = typeof cxt?.parentDataProperty === 'string' ? cxt.parentDataProperty : 'value';
      const message = FIELD_CHECKS[name]?.(data, field) ?? null;
      if (message) (check as unknown as { errors: Partial<ErrorObject>[] }).errors = [{ keyword: 'x-check', message, params: { check: name } }];
      return message === null;
    },
  });
  return ajv;
}

/** The message a person is shown for failed validation: a check's, or the schema's words for the keyword; null for neither. */
export function messageOf(errors: readonly Partial<ErrorObject>[]): string | null {
  for (const e of errors) {
    if (e.keyword === 'x-check' && e.message) return e.message;
    const words = (e.parentSchema as { 'x-messages'?: Record<string, string> } | undefined)?.['x-messages']?.[e.keyword ?? ''];
    if (words) return words;
  }
  return null;
}

/** A validator of values (a CSV row, a body) against a schema, as a request body is: the message of the first fault. */
export function bodyChecker<T>(schema: SchemaObject): (value: unknown) => Parsed<T> {
  const validate: ValidateFunction = createAjv({ coerce: false }).compile(schema);
  return (value) => {
    if (validate(value)) return { ok: true, value: value as T };
    const errors = validate.errors ?? [];
    return { ok: false, error: messageOf(errors) ?? `Invalid: ${errors[0]?.instancePath ?? ''} ${errors[0]?.message ?? ''}`.trim() };
  };
}
