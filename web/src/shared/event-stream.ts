import { OrderStreamEvent } from '@shopfront/contracts/web';

/** The parts of one server-sent event (the SSE wire format). */
interface RawEvent {
  event: string;
  data: string;
  id?: string;
}

/** Splits SSE text into events; returns the events complete so far and the unfinished rest. */
export function parseEventText(buffer: string): { events: RawEvent[]; rest: string } {
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  const events: RawEvent[] = [];
  for (const block of blocks) {
    const event: RawEvent = { event: 'message', data: '' };
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':') || line === '') continue;
      const [field, ...value] = line.split(':');
      const text = value.join(':').replace(/^ /, '');
      if (field === 'event') event.event = text;
      else if (field === 'data') data.push(text);
      else if (field === 'id') event.id = text;
    }
    if (data.length > 0) events.push({ ...event, data: data.join('\n') });
  }
  return { events, rest };
}

export interface OrderStreamHandlers {
  onEvent(event: OrderStreamEvent): void;
  onState(state: 'connecting' | 'live' | 'ended' | 'retrying'): void;
}

/**
 * `GET /v1/orders/{id}/events` read with fetch (EventSource cannot send the
 * X-API-Key header). On a broken connection it reconnects with
 * `Last-Event-ID`, so nothing is shown twice and nothing is missed; a stream
 * the server ended (terminal state) is not reopened. Returns the stop.
 */
export function followOrder(orderId: string, key: string, handlers: OrderStreamHandlers): () => void {
  const abort = new AbortController();
  let lastId: string | undefined;
  let ended = false;
  const run = async () => {
    while (!abort.signal.aborted && !ended) {
      handlers.onState('connecting');
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream', 'x-api-key': key };
        if (lastId) headers['last-event-id'] = lastId;
        const response = await fetch(`/v1/orders/${orderId}/events`, { headers, signal: abort.signal });
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        handlers.onState('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseEventText(buffer + value);
          buffer = parsed.rest;
          for (const raw of parsed.events) {
            if (raw.id) lastId = raw.id;
            const event = OrderStreamEvent.safeParse({ event: raw.event, id: raw.id === undefined ? undefined : Number(raw.id), data: JSON.parse(raw.data) });
            if (!event.success) continue;
            handlers.onEvent(event.data);
            if (event.data.event === 'status' && (event.data.data.status === 'CONFIRMED' || event.data.data.status === 'CANCELLED')) ended = true;
          }
        }
      } catch {
        if (abort.signal.aborted) return;
      }
      if (ended) break;
      handlers.onState('retrying');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    if (ended) handlers.onState('ended');
  };
  void run();
  return () => abort.abort();
}
