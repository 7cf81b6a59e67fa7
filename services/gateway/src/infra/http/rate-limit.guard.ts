import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { HttpProblem } from '@shopfront/http';
import type { FastifyReply } from 'fastify';
import { rateLimitHeaders } from '../../domain/rate-limit.js';
import { ClientRateLimiter } from '../rate-limiter.js';
import type { CallerRequest } from './caller.guard.js';

/** Runs after CallerGuard: one decision per request, headers on every answer, 429 when over. */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(@Inject(ClientRateLimiter) private readonly limiter: ClientRateLimiter) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const caller = http.getRequest<CallerRequest>().caller;
    if (!caller) throw new Error('RateLimitGuard runs after CallerGuard');
    const decision = await this.limiter.decide(caller.clientId);
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) {
      throw new HttpProblem(429, 'Too many requests', `Over ${decision.limit} requests per ${decision.windowS} s; retry after ${headers['retry-after']} s.`, {
        headers,
      });
    }
    http.getResponse<FastifyReply>().headers(headers);
    return true;
  }
}
