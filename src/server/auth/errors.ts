import { SluiceError } from '../../errors/index.js';

/** No credential, or one that is unknown, revoked or expired: HTTP 401. */
export class UnauthenticatedError extends SluiceError {}

/** A valid credential whose roles do not allow the call: HTTP 403. */
export class ForbiddenError extends SluiceError {}
