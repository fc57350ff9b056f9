import { SluiceError } from '../errors/index.js';

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
