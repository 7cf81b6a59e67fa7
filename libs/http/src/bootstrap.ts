import { type DynamicModule, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { httpRequestDuration, startProcessMetrics, type Logger } from '@shopfront/observability';
import { FaultInjector } from './faults.js';
import { ProblemFilter } from './problem.filter.js';

export interface HttpServiceOptions {
  name: string;
  port: number;
  host: string;
  logger: Logger;
  chaosEnabled: boolean;
  /** Larger bodies answer 413 before any handler runs. */
  bodyLimit?: number;
}

// Probes, metrics and fault control are never faulted (the gateway's public fault route included): a drill must always be able to heal.
const unfaultable = /^\/(health|metrics|(v1\/)?admin\/faults)/;

/** Creates, wires and starts a service's HTTP side the same way for every service. */
export async function startHttpService(module: Type | DynamicModule, options: HttpServiceOptions): Promise<INestApplication> {
  startProcessMetrics(options.name);
  const adapter = new FastifyAdapter({ bodyLimit: options.bodyLimit ?? 64 * 1024 });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: nestLogger(options.logger),
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpRequestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
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
