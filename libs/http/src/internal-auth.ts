import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Service-to-service authentication (ADR 0017). The gateway signs who is
 * calling (the API client it authenticated, if any), when, and which request,
 * with a secret shared through the environment; every service verifies it
 * before any handler runs and answers 401 without it. A signature covers the
 * method and path too, so one captured header cannot be replayed on another
 * route, and expires after `maxSkewMs`.
 */
export const internalAuthHeader = 'x-internal-auth';
/** The caller's client id: trusted only because the signature covers it. */
export const clientIdHeader = 'x-client-id';

export interface InternalRequest {
  method: string;
  /** Path and query, as the service receives it. */
  path: string;
  clientId?: string;
}

const maxSkewMs = 30_000;

const signature = (secret: string, timestamp: number, request: InternalRequest): string =>
  createHmac('sha256', secret)
    .update(`${timestamp}\n${request.method.toUpperCase()}\n${request.path}\n${request.clientId ?? ''}`)
    .digest('hex');

/** The headers a caller adds: the credential and, when there is one, the client id it covers. */
export function signInternalRequest(secret: string, request: InternalRequest, now = Date.now()): Record<string, string> {
  return {
    [internalAuthHeader]: `t=${now},v1=${signature(secret, now, request)}`,
    ...(request.clientId === undefined ? {} : { [clientIdHeader]: request.clientId }),
  };
}

export type InternalAuthVerdict = { kind: 'valid' } | { kind: 'invalid'; reason: 'missing' | 'malformed' | 'expired' | 'bad-signature' };

/** Checks a request's credential in constant time; anything but a fresh, matching signature is invalid. */
export function verifyInternalRequest(
  secret: string,
  request: InternalRequest & { credential: string | undefined },
  now = Date.now(),
): InternalAuthVerdict {
  if (!request.credential) return { kind: 'invalid', reason: 'missing' };
  const match = /^t=(\d{1,15}),v1=([0-9a-f]{64})$/.exec(request.credential);
  if (!match) return { kind: 'invalid', reason: 'malformed' };
  const timestamp = Number(match[1]);
  if (Math.abs(now - timestamp) > maxSkewMs) return { kind: 'invalid', reason: 'expired' };
  const expected = Buffer.from(signature(secret, timestamp, request), 'hex');
  const given = Buffer.from(match[2]!, 'hex');
  return timingSafeEqual(expected, given) ? { kind: 'valid' } : { kind: 'invalid', reason: 'bad-signature' };
}

/** Open on every service port: probes and scraping (a cluster restricts them with NetworkPolicies). */
export const isOpenInternalRoute = (path: string): boolean => /^\/(health\/(live|ready)|metrics)(\?|$)/.test(path);
