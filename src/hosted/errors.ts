import { SluiceError } from '../errors/index.js';

/**
 * A GitHub or GitLab API call failed. Messages name the host, the operation and the request,
 * carry the host's own explanation when it gave one, and never contain the token.
 *
 * Codes: HOSTED_AUTH (401/403: token missing, expired or lacking scope), HOSTED_NOT_FOUND
 * (404), HOSTED_NOT_MERGEABLE (405/406/422 on merge), HOSTED_CONFLICT (409: head moved, or a
 * request for the branch already exists), HOSTED_INVALID (400/422 elsewhere),
 * HOSTED_RATE_LIMITED, HOSTED_UNAVAILABLE (5xx after retries), HOSTED_UNREACHABLE (network,
 * timeouts), HOSTED_HTTP (any other status), HOSTED_BAD_RESPONSE (an answer Sluice cannot read),
 * HOSTED_REMOTE (a remote URL that is not on a known host).
 */
export class HostedError extends SluiceError {
  /** HTTP status, when the host answered. */
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { hint?: string; status?: number; cause?: unknown } = {}) {
    super(code, message, { hint: options.hint, cause: options.cause });
    this.status = options.status;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}
