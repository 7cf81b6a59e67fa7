import { CodedError } from '@shopfront/contracts';

export type EventStoreErrorCode = 'CONCURRENCY_CONFLICT' | 'UPCAST_FAILED';

export class EventStoreError extends CodedError<EventStoreErrorCode> {
  override readonly name = 'EventStoreError';
}
