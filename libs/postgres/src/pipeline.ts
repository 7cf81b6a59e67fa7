import pg from 'pg';

/** One statement of a pipeline: parameterised statements are named (prepared once per connection), the others unnamed. */
export interface PipelinedStatement {
  text: string;
  values: unknown[];
  name?: string | undefined;
}

type Settled = { ok: true; result: pg.QueryResult } | { ok: false; error: unknown };

// pg's own value mapping (arrays, dates, JSON, Buffers), as its Query uses; exported on the default object only.
const prepareValue = (pg as unknown as { utils: { prepareValue: (value: unknown) => unknown } }).utils.prepareValue;

/** Connections whose Parse of a name may or may not have happened (the pipeline that sent it failed): closed before the next Parse. */
const uncertain = new WeakMap<object, Set<string>>();

/** Whether `name` may or may not be prepared on this client's connection: only a pipeline, which closes it first, may prepare it again. */
export function preparedUncertain(client: pg.ClientBase, name: string): boolean {
  const connection = (client as unknown as { connection?: object }).connection;
  return connection !== undefined && (uncertain.get(connection)?.has(name) ?? false);
}

interface Connection {
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(query: { text: string; name?: string | undefined; types: unknown[] }): void;
  bind(config: { portal: string; statement?: string | undefined; values: unknown[]; valueMapper: (value: unknown) => unknown }): void;
  describe(msg: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
  close(msg: { type: 'S'; name: string }): void;
  sync(): void;
}

/**
 * Several statements in one round trip: each one's Parse (the first time on this
 * connection), Bind, Describe and Execute, then a single Sync, written in one go.
 * The server runs them in order and answers them all at once; after an error it
 * skips the rest up to the Sync, so they cannot run half: inside a transaction
 * the transaction is then aborted, and the caller rolls back as for any failed
 * statement. Each statement's result is its own (`settled`, in order); the failed
 * one and those skipped after it all carry the server's error.
 *
 * A submittable in pg's sense (as pg-cursor is): `client.query(pipeline)` queues
 * it like any query, so the query timeout and the client's ordering still apply.
 * Why: on this platform a round trip costs more than the statement it carries
 * (docs/performance.md, "eighth session"; ADR 0026).
 */
export class Pipeline {
  callback: ((error: Error | null, settled?: Settled[]) => void) | undefined;
  private readonly settled: Settled[] = [];
  private current: pg.QueryResult | undefined;
  private readonly parsing: string[] = [];
  private failed = false;
  /** What tracing records of it (instrumentation-pg reads `text`): one span per round trip, naming every statement. */
  readonly text: string;

  constructor(private readonly statements: PipelinedStatement[]) {
    this.text = statements.map((statement) => statement.text).join(';\n');
  }

  /** Runs it on `client` and resolves with every statement's outcome; rejects only when the connection itself failed. */
  static run(client: pg.ClientBase, statements: PipelinedStatement[]): Promise<Settled[]> {
    const pipeline = new Pipeline(statements);
    return new Promise((resolve, reject) => {
      pipeline.callback = (error, settled) => (settled ? resolve(settled) : reject(error ?? new Error('pipeline ended without an answer')));
      client.query(pipeline as unknown as pg.QueryConfig);
    });
  }

  submit(connection: Connection): null {
    const unsure = uncertain.get(connection);
    connection.stream.cork?.();
    try {
      for (const { text, values, name } of this.statements) {
        if (name === undefined || (connection.parsedStatements[name] === undefined && connection.submittedNamedStatements[name] === undefined)) {
          if (name !== undefined && unsure?.delete(name)) connection.close({ type: 'S', name });
          connection.parse({ text, name, types: [] });
          if (name !== undefined) {
            connection.submittedNamedStatements[name] = text;
            this.parsing.push(name);
          }
        }
        connection.bind({ portal: '', statement: name, values, valueMapper: prepareValue });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(msg: { fields: unknown[] }): void {
    this.result().addFields(msg.fields);
  }

  handleDataRow(msg: { fields: unknown[] }): void {
    const result = this.result();
    result.addRow(result.parseRow(msg.fields));
  }

  handleCommandComplete(msg: unknown): void {
    const result = this.result();
    result.addCommandComplete(msg);
    this.settled.push({ ok: true, result });
    this.current = undefined;
  }

  handleEmptyQuery(): void {
    this.settled.push({ ok: true, result: this.result() });
    this.current = undefined;
  }

  handleError(error: Error, connection: Connection): void {
    if (this.failed) return;
    this.failed = true;
    this.forgetParses(connection);
    // The statement that failed gets the error, and so does every later one, which the server skipped: whichever
    // of them a caller's Promise.all hears first, it is the cause, classified as such (a deadlock retried, say).
    while (this.settled.length < this.statements.length) this.settled.push({ ok: false, error });
    // A timeout or a lost connection is the whole pipeline's failure; an answer from the server is one statement's.
    if (isServerError(error)) this.callback?.(null, this.settled);
    else this.callback?.(error);
  }

  handleReadyForQuery(connection: Connection): void {
    if (this.failed) return;
    for (const name of this.parsing) {
      connection.parsedStatements[name] = connection.submittedNamedStatements[name]!;
      delete connection.submittedNamedStatements[name];
    }
    this.callback?.(null, this.settled);
  }

  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}

  /** A name this pipeline parsed may or may not exist on the server now: the next Parse of it closes it first (not an error when absent). */
  private forgetParses(connection: Connection): void {
    if (this.parsing.length === 0) return;
    const unsure = uncertain.get(connection) ?? new Set<string>();
    for (const name of this.parsing) {
      delete connection.submittedNamedStatements[name];
      delete connection.parsedStatements[name];
      unsure.add(name);
    }
    uncertain.set(connection, unsure);
  }

  private result(): pg.QueryResult & { addFields(fields: unknown[]): void; addRow(row: unknown): void; parseRow(fields: unknown[]): unknown; addCommandComplete(msg: unknown): void } {
    this.current ??= new (pg as unknown as { Result: new () => pg.QueryResult }).Result();
    return this.current as never;
  }
}

/** Whether pg got this error from the server (an ErrorResponse), as opposed to a timeout or a socket failure. */
function isServerError(error: unknown): boolean {
  return error instanceof pg.DatabaseError;
}

/** Whether a statement may go into a pipeline: the extended protocol takes one statement per Parse. */
export function pipelinable(text: string, values: unknown[]): boolean {
  return values.length > 0 || !text.includes(';');
}
