import { CodedError } from '@shopfront/contracts';

export type GatewayErrorCode =
  | 'INVALID_API_KEYS'
  | 'CIRCUIT_OPEN'
  | 'BULKHEAD_FULL'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_FAILED'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_IN_FLIGHT'
  | 'STORE_UNAVAILABLE';

/**
 * Everything the gateway itself can fail with. Only the HTTP edge turns these
 * into status codes (see infra/http/problems.ts).
 */
export class GatewayError extends CodedError<GatewayErrorCode> {
  override readonly name = 'GatewayError';
  constructor(
    code: GatewayErrorCode,
    message: string,
    readonly details: { upstream?: string; retryAfterS?: number; upstreamStatus?: number; cause?: unknown } = {},
  ) {
    super(code, message, { cause: details.cause });
  }
}
