/**
 * The consumer's unit of work: claim messages in the inbox and apply their
 * effects in one transaction, each under a CONSUMER span that continues the
 * trace its message carries (ADR 0014).
 */
import { context, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { Message } from '@shopfront/contracts';
import { dropWrites, holdWrites, releaseWrites, withTransaction } from '@shopfront/postgres';
import type pg from 'pg';
import type { MessageHandler } from './consumer.js';
import { isInfrastructureFailure } from './errors.js';
import type { RawRecord } from './reader.js';
import { contextFromHeaders, messagingTracer, orderIdOf } from './trace-context.js';


export interface Parsed {
  raw: RawRecord;
  message: Message;
}

export interface ApplyContext {
  pool: pg.Pool;
  name: string;
  topic: string;
  partition: number;
  topicPrefix?: string;
  handle: MessageHandler;
  batch?: BatchHooks | undefined;
}

/**
 * What a handler may do once per transaction rather than once per message.
 * A batch of one (a message retried alone) runs them too.
 */
export interface BatchHooks {
  /**
   * With the inbox claim, before the first message: every message of the transaction, duplicates
   * included (which are fresh is the claim's answer, and open's statements go in the claim's round
   * trip). For example, take every row lock the batch will need in one global order, so two
   * concurrent batches never deadlock on rows they share; a duplicate's rows are locked for nothing.
   */
  open?(messages: Message[], tx: pg.PoolClient): Promise<void>;
  /** After the last message, before the commit: for example one announcement per key instead of one per message. */
  close?(tx: pg.PoolClient): Promise<void>;
}

/** `processed[i]` says whether entry i was applied (false: a duplicate, in the inbox or earlier in the batch). */
export type BatchOutcome = { outcome: 'applied'; processed: boolean[] } | { outcome: 'failed'; error: unknown };

/**
 * All of a batch in one transaction. Infrastructure failures are thrown (the
 * caller retries the whole batch); any other failure rolls everything back and
 * is returned, so the caller can apply the messages one by one.
 */
export async function applyBatch(ctx: ApplyContext, entries: Parsed[]): Promise<BatchOutcome> {
  if (entries.length === 0) return { outcome: 'applied', processed: [] };
  try {
    const processed = await withTransaction(ctx.pool, async (tx) => {
      const claimed = await claimAndOpen(ctx, tx, entries);
      // A message can appear twice in one batch: its first copy is the one applied.
      const outcomes = entries.map((entry) => claimed.delete(entry.message.messageId));
      const fresh = entries.filter((_, i) => outcomes[i]);
      if (fresh.length > 0) await applyUnit(ctx, tx, fresh, 1);
      else dropWrites(tx);
      return outcomes;
    });
    return { outcome: 'applied', processed };
  } catch (error) {
    if (isInfrastructureFailure(error)) throw error;
    return { outcome: 'failed', error };
  }
}

/** One message in a transaction of its own; false when the inbox already had it. */
export async function applyOne(ctx: ApplyContext, entry: Parsed, attempt: number): Promise<boolean> {
  return withTransaction(ctx.pool, async (tx) => {
    const claimed = await claimAndOpen(ctx, tx, [entry]);
    if (!claimed.has(entry.message.messageId)) {
      dropWrites(tx);
      return false;
    }
    await applyUnit(ctx, tx, [entry], attempt);
    return true;
  });
}

/**
 * Opens the unit of work, then claims the messages and runs the open hook in one round trip: issued
 * together, a transaction of withTransaction sends both at once (libs/postgres gathers them).
 */
async function claimAndOpen(ctx: ApplyContext, tx: pg.PoolClient, entries: Parsed[]): Promise<Set<string>> {
  holdWrites(tx);
  try {
    const [claimed] = await Promise.all([claim(tx, ctx.name, entries), ctx.batch?.open?.(entries.map((entry) => entry.message), tx)]);
    return claimed;
  } catch (error) {
    dropWrites(tx);
    throw error;
  }
}

/**
 * The fresh messages of one transaction, in the unit claimAndOpen opened: each message's handler,
 * the close hook, the held writes. A lone message's span covers all of it, so what its handler and
 * close hook write is in its trace; a batch of several gets a span of its own, linked to each
 * message's trace, for the work they share.
 */
async function applyUnit(ctx: ApplyContext, tx: pg.PoolClient, fresh: Parsed[], attempt: number): Promise<void> {
  const handle = (entry: Parsed) => ctx.handle(entry.message, tx, delivery(ctx, entry, attempt));
  const unit = (each: (entry: Parsed) => Promise<void>) =>
    inUnit(tx, async () => {
      for (const entry of fresh) await each(entry);
      await ctx.batch?.close?.(tx);
    });
  if (fresh.length === 1) return traced(ctx, fresh[0]!, attempt, () => unit(handle));
  return batchTraced(ctx, fresh, () => unit((entry) => traced(ctx, entry, attempt, () => handle(entry))));
}

async function batchTraced(ctx: ApplyContext, entries: Parsed[], work: () => Promise<void>): Promise<void> {
  const links = entries.map((entry) => trace.getSpanContext(contextFromHeaders(entry.raw.headers))).filter((linked) => linked !== undefined).map((linked) => ({ context: linked }));
  const span = messagingTracer().startSpan(`${baseTopic(ctx)} process batch`, {
    kind: SpanKind.CONSUMER,
    links,
    attributes: { ...consumerAttributes(ctx), 'messaging.batch.message_count': entries.length },
  });
  await runInSpan(span, context.active(), work);
}

const baseTopic = (ctx: ApplyContext) => ctx.topic.slice((ctx.topicPrefix ?? '').length);

const consumerAttributes = (ctx: ApplyContext) => ({
  'messaging.system': 'kafka',
  'messaging.operation.type': 'process',
  'messaging.destination.name': ctx.topic,
  'messaging.destination.partition.id': String(ctx.partition),
  'messaging.consumer.group.name': ctx.name,
});

/** Runs `work` as `span`'s child context; an error is recorded on the span and thrown on. */
async function runInSpan(span: Span, parent: Context, work: () => Promise<void>): Promise<void> {
  try {
    await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: String((error as Error)?.message ?? error) });
    throw error;
  } finally {
    span.end();
  }
}

/** The handlers' outbox rows, logs and timelines are written once for the whole batch, just before its commit. */
async function inUnit(tx: pg.PoolClient, work: () => Promise<void>): Promise<void> {
  try {
    await work();
    await releaseWrites(tx);
  } finally {
    dropWrites(tx);
  }
}

/** One multi-row insert: the ids that were not in the inbox yet. */
async function claim(tx: pg.PoolClient, consumer: string, entries: Parsed[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ message_id: string }>({
    name: 'inbox-claim',
    text: `INSERT INTO inbox (consumer, message_id, message_type)
           SELECT $1, id, type FROM unnest($2::uuid[], $3::text[]) AS m(id, type)
           ON CONFLICT DO NOTHING RETURNING message_id`,
    values: [consumer, entries.map((entry) => entry.message.messageId), entries.map((entry) => entry.message.type)],
  });
  return new Set(rows.map((row) => row.message_id));
}

function delivery(ctx: ApplyContext, entry: Parsed, attempt: number) {
  const headers = Object.fromEntries(Object.entries(entry.raw.headers ?? {}).map(([key, value]) => [key, String(value ?? '')]));
  return { topic: ctx.topic, partition: ctx.partition, offset: entry.raw.offset, headers, attempt };
}

async function traced(ctx: ApplyContext, entry: Parsed, attempt: number, work: () => Promise<void>): Promise<void> {
  const parent = contextFromHeaders(entry.raw.headers);
  const orderId = orderIdOf(entry.message);
  const span = messagingTracer().startSpan(
    `${baseTopic(ctx)} process`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...consumerAttributes(ctx),
        'messaging.kafka.offset': Number(entry.raw.offset),
        'messaging.message.id': entry.message.messageId,
        'shopfront.message.type': entry.message.type,
        'shopfront.consume.attempt': attempt,
        ...(orderId ? { 'order.id': orderId, 'saga.id': orderId } : {}),
      },
    },
    parent,
  );
  await runInSpan(span, parent, async () => {
    await work();
    span.setAttribute('shopfront.consume.outcome', 'processed');
  });
}
