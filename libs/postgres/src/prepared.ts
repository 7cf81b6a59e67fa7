import { createHash } from 'node:crypto';
import pg from 'pg';

/**
 * Every statement with parameters runs as a named prepared statement: Postgres
 * parses and analyses it once per connection and, after five runs, plans it once
 * too, instead of on every call. Measured on the order's hot path: parsing and
 * planning were a fifth of the Postgres backends' CPU (docs/performance.md,
 * "Fifth pass"). The name is derived from the text, so one text is one statement
 * on every connection, and texts are static (arrays go in as `ANY($1)`), so a
 * connection prepares a bounded number of them.
 *
 * A statement without parameters (BEGIN, COMMIT, DDL) keeps the simple protocol,
 * which also allows several statements in one text. Needs a session-pooled
 * connection: a transaction-pooling proxy in front of Postgres must support
 * protocol-level prepared statements (PgBouncer ≥ 1.21 does).
 */
export class PreparingClient extends pg.Client {
  // pg's overloads are many; this one signature covers them all and hands every call back unchanged but for the name.
  override query(...args: unknown[]): never {
    const [config, values] = args;
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      args[0] = { text: config, name: statementName(config) };
    } else if (isPlainQuery(config)) {
      args[0] = { ...config, name: statementName(config.text) };
    }
    return (super.query as (...rest: unknown[]) => never)(...args);
  }
}

interface PlainQuery {
  text: string;
  values: unknown[];
  name?: undefined;
}

/** A query object with parameters and no name of its own; not a cursor or a stream (they submit themselves). */
function isPlainQuery(config: unknown): config is PlainQuery {
  if (typeof config !== 'object' || config === null) return false;
  const query = config as Partial<PlainQuery> & { submit?: unknown };
  return typeof query.text === 'string' && Array.isArray(query.values) && query.values.length > 0 && query.name === undefined && query.submit === undefined;
}

const names = new Map<string, string>();

/** `sf_` and 16 hex digits of the text's SHA-1: stable across processes, so pg_stat_activity shows the same name everywhere. */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `sf_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}
