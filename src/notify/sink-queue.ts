import { attempt } from './deliver.js';
import { NotifyError } from './errors.js';
import { render } from './payload.js';
import { backoffDelay, sleep } from './retry.js';
import type { Sink } from './sink.js';
import type { DeliveryFailure, NotifyLog, ResolvedEvent, RetryPolicy } from './types.js';

export interface SinkQueueDeps {
  fetch: typeof fetch;
  log: NotifyLog;
  policy: RetryPolicy;
  random: () => number;
  stop: AbortSignal;
  onFailed: (failure: DeliveryFailure) => void;
  onSettled: () => void;
}

/**
 * One bounded FIFO per sink, drained by one worker, so a slow or dead sink delays only its
 * own messages (in order) and never another sink's or the caller's.
 */
export class SinkQueue {
  private readonly items: ResolvedEvent[] = [];
  private working = false;
  inFlight = 0;
  delivered = 0;
  failed = 0;
  dropped = 0;
  private lastDropLog = 0;

  constructor(
    readonly sink: Sink,
    private readonly limit: number,
    private readonly deps: SinkQueueDeps,
  ) {}

  get size(): number {
    return this.items.length + this.inFlight;
  }

  push(event: ResolvedEvent): void {
    if (this.items.length >= this.limit) {
      this.dropped++;
      const now = Date.now();
      // One line per second at most: a flood of drops should not become a flood of logs.
      if (now - this.lastDropLog >= 1000) {
        this.lastDropLog = now;
        this.deps.log.warn(
          {
            sink: this.sink.name,
            type: event.type,
            app: event.app,
            env: event.env,
            dropped: this.dropped,
            limit: this.limit,
          },
          'notification queue full; event dropped',
        );
      }
      return;
    }
    this.items.push(event);
    if (!this.working) {
      this.working = true;
      // Started after the caller's turn, so notify() costs the caller no I/O and no rendering.
      queueMicrotask(() => void this.work());
    }
  }

  /** Empties the queue without sending; returns how many were waiting. */
  abandon(): number {
    const n = this.items.length;
    this.items.length = 0;
    this.dropped += n;
    return n;
  }

  private async work(): Promise<void> {
    try {
      for (let event = this.items.shift(); event; event = this.items.shift()) {
        this.inFlight++;
        try {
          await this.deliver(event);
        } finally {
          this.inFlight--;
          this.deps.onSettled();
        }
      }
    } finally {
      this.working = false;
    }
  }

  private async deliver(event: ResolvedEvent): Promise<void> {
    const { sink } = this;
    const { policy, stop } = this.deps;
    let rendered: ReturnType<typeof render>;
    try {
      rendered = render(sink, event);
    } catch (e) {
      // details that JSON cannot hold (BigInt, cycles) are the caller's bug; report, don't crash.
      this.fail(
        event,
        0,
        new NotifyError('NOTIFY_PAYLOAD', `cannot render ${event.type} for sink "${sink.name}": ${String(e)}`, {
          hint: 'Pass plain JSON values in event details.',
        }),
      );
      return;
    }
    const { body, headers } = rendered;
    for (let n = 1; ; n++) {
      const result = await attempt(this.deps.fetch, sink, body, headers, stop);
      if (result.ok) {
        this.delivered++;
        this.deps.log.debug?.(
          { sink: sink.name, type: event.type, id: event.id, attempts: n },
          'notification delivered',
        );
        return;
      }
      let error = result.error;
      let wait = 0;
      if (result.retryable && n < policy.maxAttempts && !stop.aborted) {
        wait = result.retryAfterMs ?? backoffDelay(n, policy, this.deps.random);
        if (result.retryAfterMs !== undefined && result.retryAfterMs > policy.maxRetryAfterMs) {
          error = new NotifyError(
            error.code,
            `${error.message}; it asked to wait ${Math.ceil(result.retryAfterMs / 1000)} s, longer than Sluice waits`,
            {
              status: error.status,
              hint: error.hint,
            },
          );
          wait = -1;
        }
      } else {
        wait = -1;
      }
      if (wait >= 0) {
        this.deps.log.debug?.(
          { sink: sink.name, type: event.type, attempt: n, retryInMs: wait, code: error.code },
          'notification attempt failed; retrying',
        );
        if (await sleep(wait, stop)) continue;
        error = new NotifyError(
          'NOTIFY_CLOSED',
          `notification to sink "${sink.name}" abandoned after ${n} attempt(s): the notifier closed`,
          {
            hint: `Last failure: ${error.message}`,
          },
        );
      }
      this.fail(event, n, error);
      return;
    }
  }

  private fail(event: ResolvedEvent, attempts: number, error: NotifyError): void {
    this.failed++;
    this.deps.log.warn(
      {
        sink: this.sink.name,
        sinkType: this.sink.type,
        type: event.type,
        app: event.app,
        env: event.env,
        attempts,
        code: error.code,
        status: error.status,
      },
      `notification not delivered: ${error.message}`,
    );
    try {
      this.deps.onFailed({ sink: this.sink.name, sinkType: this.sink.type, event, attempts, error });
    } catch (e) {
      this.deps.log.warn({ sink: this.sink.name, err: String(e) }, 'onDeliveryFailed callback threw');
    }
  }
}
