import { createHash } from 'node:crypto';
import { GatewayError } from './errors.js';

export type Role = 'client' | 'admin';

/** Who is calling: the client id scopes orders, idempotency keys and rate limits. */
export interface Caller {
  clientId: string;
  role: Role;
}

/** Keys are held by their SHA-256 digest: the lookup never compares secrets character by character. */
export type ApiKeys = ReadonlyMap<string, Caller>;

export type Authentication = { kind: 'authenticated'; caller: Caller } | { kind: 'missing' } | { kind: 'unknown' };

const digest = (key: string): string => createHash('sha256').update(key).digest('hex');
const clientIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Parses `key:clientId,key:clientId` (client keys) and `key[:name],…` (admin
 * keys). A key listed twice, or an empty list of either, is a configuration error.
 */
export function parseApiKeys(clientKeys: string, adminKeys: string): ApiKeys {
  const keys = new Map<string, Caller>();
  const add = (entry: string, role: Role) => {
    const [key, clientId = role === 'admin' ? 'admin' : undefined, ...rest] = entry.split(':').map((part) => part.trim());
    if (!key || !clientId || rest.length > 0 || !clientIdPattern.test(clientId)) {
      throw new GatewayError('INVALID_API_KEYS', `malformed API key entry "${redact(entry)}": expected key:clientId`);
    }
    if (keys.has(digest(key))) throw new GatewayError('INVALID_API_KEYS', `API key "${redact(key)}" is listed twice`);
    keys.set(digest(key), { clientId, role });
  };
  const entries = (list: string) => list.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries(clientKeys).length === 0 || entries(adminKeys).length === 0) {
    throw new GatewayError('INVALID_API_KEYS', 'at least one client key and one admin key are needed');
  }
  for (const entry of entries(clientKeys)) add(entry, 'client');
  for (const entry of entries(adminKeys)) add(entry, 'admin');
  return keys;
}

export function authenticate(keys: ApiKeys, presented: string | undefined): Authentication {
  if (!presented) return { kind: 'missing' };
  const caller = keys.get(digest(presented));
  return caller ? { kind: 'authenticated', caller } : { kind: 'unknown' };
}

/** Admin routes need an admin key; everything else takes any known key. */
export const mayEnter = (caller: Caller, area: Role): boolean => area === 'client' || caller.role === 'admin';

/** Configuration errors name the entry without printing a whole secret. */
const redact = (value: string): string => (value.length <= 4 ? '****' : `${value.slice(0, 2)}…${value.slice(-1)}`);
