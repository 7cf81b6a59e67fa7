export type InventoryErrorCode = 'UNKNOWN_SKU' | 'WOULD_OVERSELL';

/** Inventory's one error class: the HTTP edge maps its codes to problems. */
export class InventoryError extends Error {
  override readonly name = 'InventoryError';
  constructor(
    readonly code: InventoryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
