import { assertNever } from '@shopfront/contracts';
import { isTransientPostgresError } from '@shopfront/postgres';
import pg from 'pg';
import { HttpProblem, problemContentType } from '@shopfront/http';
import type { FastifyReply } from 'fastify';
import { toStoredResponse } from '../../app/checkout.js';
import type { UpstreamAnswer } from '../../app/ports.js';
import { GatewayError } from '../../domain/errors.js';
import type { StoredResponse } from '../../domain/idempotency.js';

/** The one place the gateway's errors become HTTP answers. */
export function toProblem(error: GatewayError): HttpProblem {
  const { upstream, retryAfterS } = error.details;
  const headers: Record<string, string> = retryAfterS ? { 'retry-after': String(retryAfterS) } : {};
  const extra = { code: error.code, ...(upstream ? { upstream } : {}), headers };
  switch (error.code) {
    case 'CIRCUIT_OPEN':
    case 'BULKHEAD_FULL':
    case 'UPSTREAM_UNREACHABLE':
    case 'STORE_UNAVAILABLE':
      return new HttpProblem(503, 'Service unavailable', `${capitalised(error.message)}; retry after ${retryAfterS ?? 1} s.`, extra);
    case 'UPSTREAM_TIMEOUT':
      return new HttpProblem(504, 'Gateway timeout', `${capitalised(error.message)}.`, extra);
    case 'UPSTREAM_FAILED':
      return error.details.upstreamStatus === 503
        ? new HttpProblem(503, 'Service unavailable', `${capitalised(error.message)}; retry after ${retryAfterS ?? 1} s.`, extra)
        : new HttpProblem(502, 'Bad gateway', `${capitalised(error.message)}.`, extra);
    case 'IDEMPOTENCY_KEY_REUSED':
      return new HttpProblem(422, 'Idempotency key reused', error.message, extra);
    case 'IDEMPOTENCY_IN_FLIGHT':
      return new HttpProblem(409, 'Request in progress', error.message, extra);
    case 'INVALID_API_KEYS':
      return new HttpProblem(500, 'Internal error', 'The gateway is misconfigured; it has been logged.');
    default:
      return assertNever(error.code);
  }
}

/** Controllers wrap their work in this: gateway errors become problems, anything else goes to the kit's filter. */
export async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof GatewayError) throw toProblem(error);
    if (isOwnStoreFailure(error)) {
      throw toProblem(new GatewayError('STORE_UNAVAILABLE', "the gateway's own database is not answering", { retryAfterS: 2, cause: error }));
    }
    throw error;
  }
}

/** Sends an upstream's answer (fresh or stored) as the gateway's own: same status and body, problem `instance` made public. */
export function relay(reply: FastifyReply, answer: UpstreamAnswer | StoredResponse, publicPath: string, headers: Record<string, string> = {}): FastifyReply {
  const response = 'headers' in answer ? answer : toStoredResponse(answer);
  const contentType = response.headers['content-type'];
  return reply
    .status(response.status)
    .headers({ ...response.headers, ...headers })
    .send(contentType?.startsWith(problemContentType) ? withInstance(response.body, publicPath) : response.body);
}

function withInstance(body: string, publicPath: string): string {
  try {
    const problem = JSON.parse(body) as Record<string, unknown>;
    if (typeof problem !== 'object' || problem === null || !('instance' in problem)) return body;
    return JSON.stringify({ ...problem, instance: publicPath.split('?')[0] });
  } catch {
    return body;
  }
}

/**
 * The gateway's Postgres failing (down, restarting, a statement or lock timeout):
 * not the caller's fault and not a bug, so a 503 to retry, never a 500.
 */
const isOwnStoreFailure = (error: unknown): boolean => error instanceof pg.DatabaseError || isTransientPostgresError(error);

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
