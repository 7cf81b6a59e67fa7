/**
 * Docker's HEALTHCHECK for a service image: is the process alive on the port
 * it was told to use (`<SERVICE>_PORT`, else the image's default)? Liveness,
 * not readiness: an unhealthy container gets restarted, and a service whose
 * Kafka is down should wait for it, not be killed.
 */
const service = (process.env.SERVICE ?? '').toUpperCase();
const port = process.env[`${service}_PORT`] ?? process.env.DEFAULT_PORT;
try {
  const response = await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(2_000) });
  process.exitCode = response.ok ? 0 : 1;
} catch {
  process.exitCode = 1;
}
