import type pg from 'pg';
import { Pipeline, pipelinable, type PipelinedStatement } from './pipeline.js';

interface Waiting {
  statement: PipelinedStatement;
  resolve: (result: pg.QueryResult) => void;
  reject: (error: unknown) => void;
}

/**
 * A transaction's statements, gathered into round trips. Its BEGIN is not sent
 * on its own: it goes with the transaction's first statement. Statements issued
 * together (in one tick, such as the held writes that `releaseWrites` makes at
 * once) go out as one pipeline. What a statement returns, and when, is unchanged
 * for the code that awaits it; only the number of round trips falls. A
 * transaction that ran nothing sends neither BEGIN nor COMMIT.
 */
export class GatheredTransaction {
  private waiting: Waiting[] = [];
  private begun = false;
  private scheduled = false;

  constructor(private readonly client: pg.ClientBase) {}

  /** Whether `query(text, values)` can be gathered; others go to the client directly, after `flush`. */
  accepts(text: string, values: unknown[]): boolean {
    return pipelinable(text, values);
  }

  query(statement: PipelinedStatement): Promise<pg.QueryResult> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ statement, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // Whatever else this turn issues goes in the same round trip. A tick, not setImmediate: that waited
      // for the event loop's next turn, one more poll of it per round trip (ADR 0026 has both measured).
      process.nextTick(() => this.flush());
    });
  }

  /**
   * Sends what is gathered now, with the BEGIN if it has not gone yet. `beginAnyway`: before a
   * statement that cannot be gathered, which must find the transaction begun even when nothing waits.
   */
  flush(beginAnyway = false): void {
    this.scheduled = false;
    const waiting = this.waiting;
    this.waiting = [];
    if (waiting.length === 0 && (this.begun || !beginAnyway)) return;
    const begin = this.begun ? [] : [{ text: 'BEGIN', values: [] }];
    this.begun = true;
    const statements = [...begin, ...waiting.map((entry) => entry.statement)];
    Pipeline.run(this.client, statements).then(
      (settled) => {
        const own = settled.slice(begin.length);
        // A failed BEGIN fails every statement after it; the server skipped them.
        const beginFailure = begin.length > 0 && settled[0] && !settled[0].ok ? settled[0].error : undefined;
        waiting.forEach((entry, i) => {
          const outcome = own[i];
          if (beginFailure !== undefined) entry.reject(beginFailure);
          else if (outcome?.ok) entry.resolve(outcome.result);
          else entry.reject(outcome ? outcome.error : new Error('pipeline answered fewer statements than it sent'));
        });
      },
      (error: unknown) => {
        for (const entry of waiting) entry.reject(error);
      },
    );
  }

  /** True once anything (BEGIN included) went to the server: only then is there a transaction to end. */
  get started(): boolean {
    return this.begun || this.waiting.length > 0;
  }
}
