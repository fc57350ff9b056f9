import { SluiceError } from '../errors/index.js';

/**
 * A notification could not be delivered, or a sink is misconfigured. Messages never carry a
 * sink's URL: webhook URLs (Slack's above all) are credentials, so sinks are named by their
 * `name` and at most their origin.
 *
 * Codes: NOTIFY_URL_MISSING, NOTIFY_SINK_INVALID, NOTIFY_PAYLOAD, NOTIFY_HTTP, NOTIFY_RATE_LIMITED, NOTIFY_TIMEOUT,
 * NOTIFY_UNREACHABLE, NOTIFY_CLOSED.
 */
export class NotifyError extends SluiceError {
  /** HTTP status of the last attempt, when the sink answered. */
  readonly status: number | undefined;

  constructor(code: string, message: string, options: { hint?: string; status?: number; field?: string } = {}) {
    super(code, message, { hint: options.hint, field: options.field });
    this.status = options.status;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}
