import pino, { type Logger } from 'pino';
import { activeTraceIds } from './trace-ids.js';

export type { Logger };

/**
 * Structured JSON logs on stdout, one line per event, with the service's name
 * on each, and the trace and span of the active span where one is recording,
 * so a log line leads to its trace and back.
 */
export function createLogger(service: string, level = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin: activeTraceIds,
  };
  return destination ? pino(options, destination) : pino(options);
}
