/** A domain event as decided: a type literal and its data. */
export interface DomainEvent<TType extends string = string, TData = unknown> {
  type: TType;
  data: TData;
}

/** What travels with an event: correlation, causation, trace context, who asked. */
export type EventMetadata = Record<string, string | null | undefined>;

/** An event as stored and read back; over a union of events it stays a discriminated union. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = E extends DomainEvent ? RecordedEventOf<E> : never;

interface RecordedEventOf<E extends DomainEvent> {
  streamId: string;
  streamVersion: number;
  globalPosition: number;
  /** The appending transaction's id (xid8, as text): the projection checkpoint's first half. */
  transactionId: string;
  messageId: string;
  type: E['type'];
  schemaVersion: number;
  data: E['data'];
  metadata: EventMetadata;
  occurredAt: Date;
}

/** State as a fold of events, emmett-style: each aggregate's own `evolve`, kept pure in its domain folder. */
export const fold = <State, Event>(evolve: (state: State, event: Event) => State, initial: State, events: Event[]): State => events.reduce(evolve, initial);
