export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Source of randomness in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter, capped. Half of each delay is fixed and half random, so
 * many Sluice instances that lost the same remote do not retry in lockstep, yet none retries
 * much sooner than planned.
 */
export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1_000;
    this.maxMs = options.maxMs ?? 5 * 60_000;
    this.factor = options.factor ?? 2;
    this.random = options.random ?? Math.random;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  fail(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.failures);
    this.failures++;
    return Math.round(base / 2 + (this.random() * base) / 2);
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
