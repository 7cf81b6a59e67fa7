import { Controller, Get, Headers, Inject, Param, Req, Res, UseGuards } from '@nestjs/common';
import { OrderView, TimelineEntry, type OrderStreamEvent } from '@shopfront/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { UpstreamAnswer } from '../../app/ports.js';
import type { Caller } from '../../domain/callers.js';
import { encodeEvent, OrderStream, resumePosition } from '../../domain/order-stream.js';
import { OrderFeed } from '../live/order-feed.js';
import { Upstreams } from '../upstream/upstreams.js';
import { OrderId } from './api.schemas.js';
import { CallerGuard, CallerOf } from './caller.guard.js';
import { answering, relay } from './problems.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { parseParts } from './request-parts.js';

const Timeline = z.object({ items: z.array(TimelineEntry) });
/** Trailing timeline entries (the saga's last records) may land just after the terminal status. */
const closeAfterTerminalMs = 1_000;
/**
 * The order service stores saga steps up to 100 ms after the feed reads them (both space their
 * fetches): a step the feed passed before this stream watched may reach the timeline only after the
 * snapshot's read. One more read of the timeline this much later, before a terminal stream closes,
 * picks it up. The order's status needs no second read: it is written in the same transaction as the
 * order's events, before any of them can reach the feed.
 */
const rereadAfterMs = 500;
const heartbeatMs = 15_000;

/**
 * `GET /v1/orders/{orderId}/events`: the order's status and timeline as
 * server-sent events. One read of the order and its timeline per connection
 * (which also checks the caller owns it); everything after comes from the
 * replica's broker feed, never from polling.
 */
@Controller('v1/orders')
@UseGuards(CallerGuard, RateLimitGuard)
export class OrderEventsController {
  constructor(
    @Inject(Upstreams) private readonly upstreams: Upstreams,
    @Inject(OrderFeed) private readonly feed: OrderFeed,
  ) {}

  @Get(':orderId/events')
  async events(
    @CallerOf() caller: Caller,
    @Param('orderId') orderId: unknown,
    @Headers('last-event-id') lastEventId: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { orderId: id } = parseParts({ orderId: [OrderId, orderId] });
    const stream = new OrderStream(resumePosition(lastEventId));
    // Until the snapshot is sent, the stream holds live updates and returns none.
    let send: (events: OrderStreamEvent[]) => void = () => undefined;
    let reread: NodeJS.Timeout | undefined;
    // Subscribe before reading, so that nothing said in between is missed.
    const unwatchFeed = this.feed.watch(id, (update) => send(stream.live(update)));
    const unwatch = () => {
      clearTimeout(reread);
      unwatchFeed();
    };
    try {
      const order = await answering(() => this.upstreams.call('order', { method: 'GET', path: `/orders/${id}`, clientId: caller.clientId }));
      if (order.status !== 200) {
        unwatch();
        return relay(reply, order, request.url);
      }
      const timeline = await answering(() => this.upstreams.call('order', { method: 'GET', path: `/orders/${id}/timeline`, clientId: caller.clientId }));
      const view = OrderView.parse(JSON.parse(order.body));
      const first = stream.snapshot({ status: view.status, reason: view.reason ?? null }, timelineOf(timeline));
      send = open(reply, request, unwatch, () => stream.finished);
      send(first);
      reread = setTimeout(() => void this.timelineAgain(id, caller.clientId, stream, send), rereadAfterMs);
      // Connected before this replica's feed joined (its first seconds): read once more when it has.
      if (!this.feed.isLive && !stream.finished) void this.feed.joined.then(() => this.catchUp(id, caller.clientId, stream, send));
    } catch (error) {
      unwatch();
      throw error;
    }
  }

  private async timelineAgain(id: string, clientId: string, stream: OrderStream, send: (events: OrderStreamEvent[]) => void): Promise<void> {
    try {
      send(stream.timelineAgain(timelineOf(await this.upstreams.call('order', { method: 'GET', path: `/orders/${id}/timeline`, clientId }))));
    } catch {
      // What it would have added is in the timeline: a reload or a reconnect with Last-Event-ID shows it.
    }
  }

  private async catchUp(id: string, clientId: string, stream: OrderStream, send: (events: OrderStreamEvent[]) => void): Promise<void> {
    try {
      const order = await this.upstreams.call('order', { method: 'GET', path: `/orders/${id}`, clientId });
      const timeline = await this.upstreams.call('order', { method: 'GET', path: `/orders/${id}/timeline`, clientId });
      if (order.status !== 200) return;
      const view = OrderView.parse(JSON.parse(order.body));
      send(stream.catchUp({ status: view.status, reason: view.reason ?? null }, timelineOf(timeline)));
    } catch {
      // The client reconnects with Last-Event-ID if it sees nothing; a failed catch-up costs only that.
    }
  }
}

/** Takes the socket over from Nest: headers, heartbeats, and closing once `finished()` after the terminal state. */
function open(reply: FastifyReply, request: FastifyRequest, unwatch: () => void, finished: () => boolean): (events: OrderStreamEvent[]) => void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  raw.write('retry: 2000\n\n');
  let closing: NodeJS.Timeout | undefined;
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), heartbeatMs);
  const close = () => {
    clearInterval(heartbeat);
    clearTimeout(closing);
    unwatch();
    if (!raw.writableEnded) raw.end();
  };
  request.raw.on('close', close);
  return (events) => {
    for (const event of events) if (!raw.writableEnded) raw.write(encodeEvent(event));
    if (finished() && !closing) closing = setTimeout(close, closeAfterTerminalMs);
  };
}

function timelineOf(answer: UpstreamAnswer) {
  return answer.status === 200 ? Timeline.parse(JSON.parse(answer.body)).items : [];
}
