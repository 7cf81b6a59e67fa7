import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { HttpProblem, type FieldError } from './problem.js';

/** Field errors in a form clients can show next to their inputs. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message }));
}

/** Parses a request part with a zod schema; answers 400 with every field error. */
@Injectable()
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.infer<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    throw new HttpProblem(400, 'Validation failed', 'The request has invalid fields.', { errors: fieldErrors(result.error) });
  }
}
