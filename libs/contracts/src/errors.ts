/**
 * The shape of every error class of ours, written once: a code from the class's
 * own union, a message, and the error it wraps as `cause`. Each lib and service
 * has one class extending it (`XxxError`), which only names itself; only the HTTP
 * edge maps a code to a status. It lives here because every project may import
 * contracts, and contracts import nothing of ours.
 */
export abstract class CodedError<Code extends string> extends Error {
  abstract override readonly name: string;
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ContractErrorCode = 'UNKNOWN_TYPE' | 'INVALID_SHAPE' | 'UNSUPPORTED_VERSION' | 'NOT_JSON';

/** A message that does not match its contract. Never transient: retrying cannot fix it. */
export class ContractError extends CodedError<ContractErrorCode> {
  override readonly name = 'ContractError';
}
