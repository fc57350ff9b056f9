import { SluiceError } from '../errors/index.js';
import type { Fence } from './lease-types.js';
import type { SyncRecord } from './types.js';

/**
 * A conditional write found the record changed by someone else since it was read (another
 * controller settled the same promotion). Reading again and deciding again can succeed.
 */
export class StoreConflictError extends SluiceError {
  static override readonly retryByDefault: boolean = true;
}

/** The store could not be opened or reached (a database that is down, a URL nothing answers). */
export class StoreUnavailableError extends SluiceError {
  static override readonly retryByDefault: boolean = true;
}

/** A `--store` / `SLUICE_STORE` location no store kind understands. */
export class StoreLocationError extends SluiceError {}

/**
 * A fenced write from a controller that no longer holds the scope's lease: another controller
 * took the scope over, and its result is the one that counts. Not retried.
 */
export class LeaseLostError extends SluiceError {}

export function leaseLost(sync: SyncRecord, fence: Fence): LeaseLostError {
  return new LeaseLostError(
    'LEASE_LOST',
    `${fence.holder} no longer holds ${sync.app}/${sync.env} under token ${fence.token}: the result of sync ${sync.id} is not recorded`,
    { hint: 'Another controller took the scope over and syncs it; nothing to do.' },
  );
}
