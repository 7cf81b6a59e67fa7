import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Logger } from '@shopfront/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, problemContentType } from './problem.js';

export function sendProblem(reply: FastifyReply, problem: HttpProblem, instance?: string): void {
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) reply.header(name, value);
  reply.status(problem.status).type(problemContentType).send(problem.body(instance?.split('?')[0]));
}

/** The last line of defence: anything thrown becomes problem+json, and 5xx are logged. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const problem = toProblem(error);
    // A 500 is a bug worth a stack trace; 502-504 are expected answers to a failing dependency.
    if (problem.status === 500) this.logger.error({ err: error, url: request.url }, 'request failed');
    else if (problem.status > 500) this.logger.warn({ url: request.url, status: problem.status, detail: problem.detail }, 'dependency unavailable');
    sendProblem(reply, problem, request.url);
  }
}

const statusTitles: Record<number, string> = { 400: 'Malformed request', 404: 'Not found', 405: 'Method not allowed', 413: 'Payload too large' };

/** Fastify's own errors before a handler runs: body parsing and limits. */
const fastifyProblems: Record<string, () => HttpProblem> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new HttpProblem(413, 'Payload too large', 'The body is larger than this service accepts.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => new HttpProblem(415, 'Unsupported media type', 'Send application/json.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => new HttpProblem(400, 'Malformed body', 'The JSON body is empty.'),
};

export function toProblem(error: unknown): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const { name, message, code, statusCode } = (error ?? {}) as Error & { code?: string; statusCode?: number };
  if (name === 'InjectedFault') return new HttpProblem(503, 'Service unavailable', message, { headers: { 'retry-after': '1' } });
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return new HttpProblem(status, statusTitles[status] ?? 'Request failed', error.message);
  }
  // Postgres class 22 (data exception: NUL in text, a number out of range): the caller sent what cannot be stored.
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && 'severity' in (error as object)) {
    return new HttpProblem(400, 'Unstorable value', 'A value in the request cannot be stored; check its text and number ranges.');
  }
  const known = code && Object.hasOwn(fastifyProblems, code) ? fastifyProblems[code] : undefined;
  if (known) return known();
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return new HttpProblem(statusCode, 'Malformed request', message);
  return new HttpProblem(500, 'Internal error', 'The service failed to answer; it has been logged.');
}
