import type { z } from 'zod';

/** An RFC 9457 problem the gateway answered, or a network failure. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Headers | undefined = undefined,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export interface ApiCall<T extends z.ZodType> {
  key: string;
  schema: T;
  method?: 'GET' | 'POST' | 'PUT';
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiAnswer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Same-origin call to the gateway's API; the answer is validated against its contract. */
export async function api<T extends z.ZodType>(path: string, call: ApiCall<T>): Promise<ApiAnswer<z.infer<T>>> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-api-key': call.key, ...call.headers };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method: call.method ?? 'GET', headers, body: call.body === undefined ? undefined : JSON.stringify(call.body) });
  } catch (error) {
    throw new ApiProblem(0, 'Network error', (error as Error).message);
  }
  const text = await response.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const problem = (json ?? {}) as { title?: string; detail?: string; errors?: { field: string; message: string }[] };
    const fields = problem.errors?.map((error) => `${error.field}: ${error.message}`).join('; ');
    throw new ApiProblem(response.status, problem.title ?? response.statusText, [problem.detail, fields].filter(Boolean).join(' '), response.headers);
  }
  return { status: response.status, headers: response.headers, body: call.schema.parse(json) };
}

export interface WebConfig {
  defaultApiKey: string;
}

export async function loadWebConfig(): Promise<WebConfig> {
  const response = await fetch('/web-config.json').catch(() => undefined);
  if (!response?.ok) return { defaultApiKey: '' };
  return (await response.json()) as WebConfig;
}

export function formatMoney({ amount, currency }: { amount: number; currency: string }): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount / 100);
}

// Naming any field drops the defaults: hour, minute and second must be asked for beside the milliseconds.
export const formatTime = (iso: string) =>
  new Date(iso).toLocaleTimeString('en-GB', { hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3 });
