import type { SluiceError } from '../errors/index.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { SourceState } from './types.js';

/**
 * The outcome of fetches over time: the last good revision keeps being served while the
 * remote is away, and failures push the next attempt out on a backoff schedule.
 */
export class FetchState {
  lastGood: string | undefined;
  private lastFetchAt: string | undefined;
  private lastError: SourceState['lastError'];
  private retryAt: number | undefined;
  private readonly backoff: Backoff;

  constructor(options?: BackoffOptions) {
    this.backoff = new Backoff(options);
  }

  succeeded(revision: string, now = new Date()): void {
    this.lastGood = revision;
    this.lastFetchAt = now.toISOString();
    this.lastError = undefined;
    this.retryAt = undefined;
    this.backoff.reset();
  }

  failed(err: SluiceError, now = new Date()): void {
    this.lastError = { code: err.code, message: err.message, hint: err.hint, at: now.toISOString() };
    this.retryAt = now.getTime() + this.backoff.fail();
  }

  /** Epoch milliseconds of the next attempt after a failure. */
  get nextRetryAt(): number | undefined {
    return this.retryAt;
  }

  snapshot(): Pick<SourceState, 'lastGoodRevision' | 'lastFetchAt' | 'lastError' | 'failures' | 'nextRetryAt'> {
    return {
      lastGoodRevision: this.lastGood,
      lastFetchAt: this.lastFetchAt,
      lastError: this.lastError,
      failures: this.backoff.attempts,
      nextRetryAt: this.retryAt === undefined ? undefined : new Date(this.retryAt).toISOString(),
    };
  }
}
