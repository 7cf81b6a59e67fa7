import { createParamDecorator, Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { HttpProblem } from '@shopfront/http';
import type { FastifyRequest } from 'fastify';
import { authenticate, mayEnter, type ApiKeys, type Caller, type Role } from '../../domain/callers.js';
import { AuthFailureThrottle } from '../auth-failure-throttle.js';
import { API_KEYS } from '../tokens.js';

export type CallerRequest = FastifyRequest & { caller?: Caller };

const AREA = 'gateway:area';
/** Marks a controller as admin-only; unmarked controllers take any known key. */
export const AdminOnly = () => SetMetadata(AREA, 'admin' satisfies Role);

/** The key from X-API-Key, or from `Authorization: Bearer` (how Prometheus sends a scrape credential). */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
  return bearer?.[1];
}

/**
 * X-API-Key → caller: 401 without a known key, 403 for a client key on admin
 * routes, 429 for an address that failed too often (AuthFailureThrottle).
 */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKeys,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthFailureThrottle) private readonly throttle: AuthFailureThrottle,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const retryAfterS = await this.throttle.retryAfterS(request.ip);
    if (retryAfterS > 0) {
      throw new HttpProblem(429, 'Too many failed authentications', `Too many requests with a wrong API key from this address; retry after ${retryAfterS} s.`, {
        headers: { 'retry-after': String(retryAfterS) },
      });
    }
    const authentication = authenticate(this.keys, presentedKey(request));
    if (authentication.kind !== 'authenticated') {
      await this.throttle.recordFailure(request.ip);
      const detail = authentication.kind === 'missing' ? 'Send your API key in the X-API-Key header.' : 'The API key is not known.';
      throw new HttpProblem(401, 'Unauthorized', detail, { headers: { 'www-authenticate': 'ApiKey header="X-API-Key"' } });
    }
    const area = this.reflector.getAllAndOverride<Role | undefined>(AREA, [context.getHandler(), context.getClass()]) ?? 'client';
    if (!mayEnter(authentication.caller, area)) throw new HttpProblem(403, 'Forbidden', 'This route needs an admin key.');
    request.caller = authentication.caller;
    return true;
  }
}

/** The authenticated caller; only on routes behind CallerGuard. */
export const CallerOf = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const caller = context.switchToHttp().getRequest<CallerRequest>().caller;
  if (!caller) throw new Error('CallerOf used on a route without CallerGuard');
  return caller;
});
