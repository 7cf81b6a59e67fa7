import { z } from 'zod';

/**
 * Text the platform can store: Postgres refuses NUL in text and jsonb, and a
 * lone UTF-16 surrogate is not Unicode at all. Refused at the edge, with the
 * field named, instead of failing as a 500 deep inside a service.
 */
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const isStorableText = (value: string): boolean => !unstorable.test(value);

export const storableText = (min: number, max: number) =>
  z.string().min(min).max(max).refine(isStorableText, 'must not contain NUL characters or unpaired UTF-16 surrogates');

/** The largest amount (minor units) and quantity the stores hold: 32-bit integer columns. */
export const maxAmount = 2_147_483_647;
/** Per order line: generous for a shop, and far from overflowing a total. */
export const maxQuantity = 10_000;
