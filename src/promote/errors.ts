import { ConflictError, SluiceError } from '../errors/index.js';

/**
 * A set-image, promotion, approval or rollback that cannot go ahead. Codes: PROMOTE_BAD_ARTIFACT,
 * PROMOTE_NO_ROUTE, PROMOTE_NOTHING_SYNCED, PROMOTE_NO_CHANGE, PROMOTE_TARGET_MISSING,
 * PROMOTE_GATE_FAILED, PROMOTE_SELF_APPROVAL, PROMOTE_NOT_OPEN, PROMOTE_RETRIES_EXHAUSTED,
 * ROLLBACK_NOTHING, ROLLBACK_TIMEOUT.
 */
export class PromotionError extends SluiceError {}

/** set-image or promote of a digest held in the target environment (HOLD_DIGEST_HELD): lift the hold first. */
export class DigestHeldError extends ConflictError {}
