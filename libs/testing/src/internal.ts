import { developmentInternalSecret } from '@shopfront/config';
import { signInternalRequest } from '@shopfront/http';

/** The secret the test harnesses run services with (the development one unless INTERNAL_AUTH_SECRET is set). */
export const testInternalSecret = (): string => process.env.INTERNAL_AUTH_SECRET ?? developmentInternalSecret;

/**
 * A call to a service port as the gateway makes it: signed with the internal
 * credential, for the client given (if any). `signed: false` calls as a stranger would.
 */
export async function callService(
  baseUrl: string,
  path: string,
  options: { method?: string; clientId?: string; body?: unknown; headers?: Record<string, string>; signed?: boolean } = {},
): Promise<Response> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { ...options.headers };
  if (options.signed !== false) Object.assign(headers, signInternalRequest(testInternalSecret(), { method, path, clientId: options.clientId }));
  else if (options.clientId !== undefined) headers['x-client-id'] = options.clientId;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  return fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
}
