import { createHash } from 'node:crypto';
import pg from 'pg';
import { GatheredTransaction } from './gathered.js';
import { Pipeline, preparedUncertain } from './pipeline.js';

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
  /** Set by withTransaction for the length of a transaction: its statements go out gathered (gathered.ts). */
  private gathered: GatheredTransaction | undefined;

  /** Starts a transaction whose BEGIN goes with its first statement; `stopGathering` ends it (then COMMIT or ROLLBACK, if `started`). */
  gather(): GatheredTransaction {
    this.gathered = new GatheredTransaction(this);
    return this.gathered;
  }

  stopGathering(): void {
    this.gathered?.flush();
    this.gathered = undefined;
  }

  // pg's overloads are many; this one signature covers them all and hands every call back unchanged but for the name.
  override query(...args: unknown[]): never {
    const [config, values] = args;
    const gathered = this.gathered;
    if (!(config instanceof Pipeline)) {
      const statement = gatherable(config, values, args.length);
      if (gathered) {
        if (statement && gathered.accepts(statement.text, statement.values)) return gathered.query(statement) as never;
        // Anything else keeps its place in the order: what is gathered goes first.
        gathered.flush(true);
      } else {
        // pg-pool's query passes a callback last.
        const callback = typeof args.at(-1) === 'function' ? (args.at(-1) as (error: unknown, result?: unknown) => void) : undefined;
        const plain = callback ? gatherable(config, values, args.length - 1) : statement;
        if (plain?.name !== undefined && preparedUncertain(this, plain.name)) {
          // A failed pipeline left this name in doubt: pg's own path would Parse it again, and fail if it exists.
          const answer = Pipeline.run(this, [plain]).then(([outcome]) => {
            if (!outcome?.ok) throw outcome?.error ?? new Error('no answer');
            return outcome.result;
          });
          if (!callback) return answer as never;
          answer.then((result) => callback(null, result), (error: unknown) => callback(error));
          return undefined as never;
        }
      }
    }
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

/** A promise-style statement (text, values, nothing else), named when it has parameters; undefined for any other call. */
function gatherable(config: unknown, values: unknown, count: number): { text: string; values: unknown[]; name?: string } | undefined {
  if (typeof config === 'string') {
    if (count > 2 || (count === 2 && !Array.isArray(values))) return undefined;
    const list = count === 2 ? (values as unknown[]) : [];
    return { text: config, values: list, ...(list.length > 0 ? { name: statementName(config) } : {}) };
  }
  if (count !== 1 || typeof config !== 'object' || config === null) return undefined;
  const query = config as { text?: unknown; values?: unknown; name?: unknown };
  if (typeof query.text !== 'string' || Object.keys(query).some((key) => key !== 'text' && key !== 'values' && key !== 'name')) return undefined;
  const list = Array.isArray(query.values) ? query.values : [];
  const name = typeof query.name === 'string' ? query.name : list.length > 0 ? statementName(query.text) : undefined;
  return { text: query.text, values: list, ...(name !== undefined ? { name } : {}) };
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
