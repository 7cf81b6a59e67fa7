import { CodedError } from '@shopfront/contracts';

export type InventoryErrorCode = 'UNKNOWN_SKU' | 'WOULD_OVERSELL';

/** Inventory's one error class: the HTTP edge maps its codes to problems. */
export class InventoryError extends CodedError<InventoryErrorCode> {
  override readonly name = 'InventoryError';
}
