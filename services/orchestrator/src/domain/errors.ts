import { CodedError } from '@shopfront/contracts';

export type OrchestratorErrorCode =
  /** A transition the state machine does not allow: a bug, never a bad message. */
  | 'INVALID_TRANSITION'
  /** The saga was started concurrently: it had no row to lock yet. A retry reads it. */
  | 'SAGA_CONFLICT';

/** Everything the orchestrator itself can fail with; only controllers map it to HTTP. */
export class OrchestratorError extends CodedError<OrchestratorErrorCode> {
  override readonly name = 'OrchestratorError';
}
