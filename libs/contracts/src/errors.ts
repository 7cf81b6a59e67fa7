export type ContractErrorCode = 'UNKNOWN_TYPE' | 'INVALID_SHAPE' | 'UNSUPPORTED_VERSION' | 'NOT_JSON';

/** A message that does not match its contract. Never transient: retrying cannot fix it. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(
    readonly code: ContractErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
