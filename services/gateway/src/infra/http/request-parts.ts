import { fieldErrors, HttpProblem, type FieldError } from '@shopfront/http';
import type { z } from 'zod';

type Parsed<P extends Record<string, [z.ZodType, unknown]>> = { [K in keyof P]: z.infer<P[K][0]> };

/**
 * Validates several parts of one request (header, path, query, body) and
 * answers one 400 listing every field error, not just the first part's.
 * Keys naming a header or path part prefix their fields with it.
 */
export function parseParts<P extends Record<string, [z.ZodType, unknown]>>(parts: P): Parsed<P> {
  const errors: FieldError[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, [schema, value]] of Object.entries(parts)) {
    const result = schema.safeParse(value);
    if (result.success) {
      parsed[name] = result.data;
      continue;
    }
    for (const error of fieldErrors(result.error)) {
      const field = name === 'body' || name === 'query' ? error.field : error.field === '(body)' ? name : `${name}.${error.field}`;
      errors.push({ field, message: value === undefined && error.field === '(body)' ? 'required' : error.message });
    }
  }
  if (errors.length > 0) throw new HttpProblem(400, 'Validation failed', 'The request has invalid fields.', { errors });
  return parsed as Parsed<P>;
}
