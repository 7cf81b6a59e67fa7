export type OrchestratorErrorCode =
  /** A transition the state machine does not allow: a bug, never a bad message. */
  | 'INVALID_TRANSITION'
  /** Someone else changed the saga since it was read; a retry reads it again. */
  | 'SAGA_CONFLICT';

/** Everything the orchestrator itself can fail with; only controllers map it to HTTP. */
export class OrchestratorError extends Error {
  override readonly name = 'OrchestratorError';
  constructor(
    readonly code: OrchestratorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
