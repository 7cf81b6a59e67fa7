import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpRequestDuration, startProcessMetrics, type Logger } from '@shopfront/observability';
import { createServer, type RequestListener } from 'node:http';
import { FaultInjector } from './faults.js';
import { clientIdHeader, internalAuthHeader, isOpenInternalRoute, verifyInternalRequest } from './internal-auth.js';
import { HttpProblem } from './problem.js';
import { ProblemFilter, sendProblem } from './problem.filter.js';

/**
 * Who may call this port: the gateway's is public (it authenticates API keys itself);
 * every service's is internal and answers 401 without the signed credential (ADR 0017).
 */
export type PortAccess = { kind: 'public' } | { kind: 'internal'; secret: string };

export interface HttpServiceOptions {
  name: string;
  port: number;
  host: string;
  logger: Logger;
  chaosEnabled: boolean;
  access: PortAccess;
  /** Larger bodies answer 413 before any handler runs. */
  bodyLimit?: number;
  /** Runs before any other hook is added: the gateway's admission control must be the first thing a request meets. */
  configure?: (app: NestFastifyApplication) => void;
}

// A request must arrive whole in time: a trickled body or header cannot hold a connection.
const headersTimeoutMs = 5_000;
const requestTimeoutMs = 10_000;


// Probes, metrics and fault control are never faulted (the gateway's public fault route included): a drill must always be able to heal.
const unfaultable = /^\/(health|metrics|(v1\/)?admin\/faults)/;

/** Creates, wires and starts a service's HTTP side the same way for every service. */
export async function startHttpService(module: Type | DynamicModule, options: HttpServiceOptions): Promise<INestApplication> {
  startProcessMetrics(options.name);
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // Node checks these deadlines every connectionsCheckingInterval (30 s by default): check every second.
    serverFactory: (handler: RequestListener) =>
      createServer({ headersTimeout: headersTimeoutMs, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: 1_000 }, handler),
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: nestLogger(options.logger),
    abortOnError: false,
  });
  options.configure?.(app);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  if (options.access.kind === 'internal') {
    const { secret } = options.access;
    // First of all hooks: an unauthenticated request reaches neither fault injection nor a handler.
    fastify.addHook('onRequest', async (request, reply) => {
      if (isOpenInternalRoute(request.url)) return;
      const clientId = request.headers[clientIdHeader];
      const credential = request.headers[internalAuthHeader];
      const verdict = verifyInternalRequest(secret, {
        method: request.method,
        path: request.url,
        clientId: typeof clientId === 'string' ? clientId : undefined,
        credential: typeof credential === 'string' ? credential : undefined,
      });
      if (verdict.kind === 'valid') return;
      sendProblem(reply, unauthorized, request.url);
      return reply;
    });
  }
  if (options.chaosEnabled) {
    const faults = app.get(FaultInjector);
    fastify.addHook('onRequest', async (request) => {
      if (!unfaultable.test(request.url)) await faults.apply('self');
    });
  }
  // Nest routes Fastify's own errors (body too large, bad JSON) into this filter too.
  app.useGlobalFilters(new ProblemFilter(options.logger));
  app.enableShutdownHooks();
  await app.listen(options.port, options.host);
  options.logger.info({ port: options.port }, `${options.name} listening on http://${options.host}:${options.port}`);
  return app;
}

function nestLogger(logger: Logger) {
  return {
    log: (message: unknown, context?: string) => logger.debug({ context }, String(message)),
    error: (message: unknown, trace?: string, context?: string) => logger.error({ context, trace }, String(message)),
    warn: (message: unknown, context?: string) => logger.warn({ context }, String(message)),
    debug: (message: unknown, context?: string) => logger.debug({ context }, String(message)),
    verbose: (message: unknown, context?: string) => logger.trace({ context }, String(message)),
  };
}

const unauthorized = new HttpProblem(401, 'Unauthorized', 'This port serves the platform only: send the internal credential (docs/contract.md).', {
  headers: { 'www-authenticate': 'Shopfront-Internal' },
});
