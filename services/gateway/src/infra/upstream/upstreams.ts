import { signInternalRequest } from '@shopfront/http';
import { Pool } from 'undici';
import { GatewayError } from '../../domain/errors.js';
import type { OrderService, UpstreamAnswer, UpstreamRequest } from '../../app/ports.js';
import { upstreamNames, type Upstream } from '../../domain/upstreams.js';
import { reportBulkheadUse, upstreamCalls } from '../metrics.js';
import { UpstreamConnectionError, UpstreamProtection, UpstreamStatusError, type ResilienceSettings, type ResilienceSnapshot } from './resilience.js';

interface Target {
  pool: Pool;
  basePath: string;
  protection: UpstreamProtection;
  internalSecret: string;
}

/**
 * The gateway's HTTP client for the internal services: one keep-alive
 * undici pool per upstream, every call through that upstream's protection
 * (breaker, bulkhead, timeouts, retries for reads). 5xx answers and network
 * failures become GatewayErrors. The app's OrderService port is its `order` upstream.
 */
export class Upstreams implements OrderService {
  private readonly targets: Record<Upstream, Target>;
  private readonly stopReporting: () => void;

  constructor(baseUrls: Record<Upstream, string>, settings: ResilienceSettings, internalSecret: string) {
    this.targets = Object.fromEntries(
      upstreamNames.map((name) => {
        const url = new URL(baseUrls[name]);
        const pool = new Pool(url.origin, {
          // As many connections as the bulkhead lets calls run: queueing happens in the bulkhead, where it is bounded and visible.
          connections: settings.bulkheadLimit,
          headersTimeout: settings.totalTimeoutMs,
          bodyTimeout: settings.totalTimeoutMs,
        });
        return [name, { pool, basePath: url.pathname.replace(/\/$/, ''), protection: new UpstreamProtection(name, settings), internalSecret }];
      }),
    ) as Record<Upstream, Target>;
    this.stopReporting = reportBulkheadUse(() =>
      this.resilience().map(({ upstream, bulkhead }) => ({ upstream, execution: bulkhead.executionSlots.used, queue: bulkhead.queueSlots.used })),
    );
  }

  async call(upstream: Upstream, request: UpstreamRequest): Promise<UpstreamAnswer> {
    const target = this.targets[upstream];
    try {
      const answer = await target.protection.execute(request.method === 'GET', async (signal) => {
        const answer = await send(target, request, signal);
        if (answer.status >= 500) throw new UpstreamStatusError(answer.status, answer.retryAfter);
        return answer;
      });
      upstreamCalls.inc({ upstream, outcome: answer.status < 400 ? 'ok' : 'client_error' });
      return answer;
    } catch (error) {
      upstreamCalls.inc({ upstream, outcome: outcomeOf(error) });
      throw error;
    }
  }

  /**
   * Around every protection, with only a timeout: for operator calls that must
   * reach a failing service (healing an injected fault while its circuit is open).
   */
  async callDirectly(upstream: Upstream, request: UpstreamRequest, timeoutMs: number): Promise<UpstreamAnswer> {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await send(this.targets[upstream], request, signal);
    } catch (error) {
      if (signal.aborted) throw new GatewayError('UPSTREAM_TIMEOUT', `the ${upstream} service did not answer in time`, { upstream, retryAfterS: 1, cause: error });
      throw new GatewayError('UPSTREAM_UNREACHABLE', `the ${upstream} service cannot be reached`, { upstream, retryAfterS: 1, cause: error });
    }
  }

  resilience(): ResilienceSnapshot[] {
    return upstreamNames.map((name) => this.targets[name].protection.snapshot());
  }

  async close(): Promise<void> {
    this.stopReporting();
    await Promise.all(Object.values(this.targets).map((target) => target.pool.close()));
  }
}

async function send(target: Target, request: UpstreamRequest, signal: AbortSignal): Promise<UpstreamAnswer> {
  const path = target.basePath + request.path;
  const headers: Record<string, string | undefined> = {
    accept: 'application/json',
    ...request.headers,
    ...signInternalRequest(target.internalSecret, { method: request.method, path, clientId: request.clientId }),
  };
  let body: string | undefined;
  if (request.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.body);
  }
  let response;
  try {
    response = await target.pool.request({ method: request.method, path, headers, body, signal });
  } catch (error) {
    if (signal.aborted) throw error; // a timeout: the policy that aborted reports it
    throw new UpstreamConnectionError(error);
  }
  // Read to the end inside the policy: the timeouts cover the body, not only the headers.
  const text = await response.body.text();
  return {
    status: response.statusCode,
    contentType: header(response.headers['content-type']),
    location: header(response.headers.location),
    retryAfter: header(response.headers['retry-after']),
    body: text,
  };
}

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

function outcomeOf(error: unknown): string {
  if (!(error instanceof GatewayError)) return 'error';
  switch (error.code) {
    case 'CIRCUIT_OPEN':
      return 'circuit_open';
    case 'BULKHEAD_FULL':
      return 'bulkhead_full';
    case 'UPSTREAM_TIMEOUT':
      return 'timeout';
    case 'UPSTREAM_UNREACHABLE':
      return 'unreachable';
    default:
      return 'server_error';
  }
}
