import { isSluiceError, SourceError } from '../errors/index.js';
import type { FetchResult, SourceErrorListener, SourceLog } from './types.js';
import { watchDirs, type Stoppable } from './watch.js';

interface Fetcher {
  fetch(): Promise<FetchResult>;
  readonly logger: SourceLog;
  readonly location: string;
}

export interface WatcherOptions {
  /** Directories to watch (local repositories); undefined means poll by fetching. */
  dirs: string[] | undefined;
  pollIntervalMs: number;
  localPoll?: { pollMs?: number; safetyPollMs?: number };
  /** When the source's backoff allows the next attempt, after a failure. */
  retryAt: () => number | undefined;
  onError?: SourceErrorListener;
}

/**
 * Drives `fetch` from ref changes (local) or a timer (remote). It reports nothing itself: the
 * source announces every fetched revision to its subscribers, whoever asked for the fetch, so
 * one source is fetched once per interval however many parts follow it.
 */
export class SourceWatcher {
  private running = false;
  private again = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private dirWatch: Stoppable | undefined;

  constructor(
    private readonly source: Fetcher,
    private readonly options: WatcherOptions,
  ) {
    if (options.dirs) {
      this.dirWatch = watchDirs(options.dirs, () => void this.check(), {
        ...options.localPoll,
        onFallback: (reason) =>
          source.logger.warn({ source: source.location, reason }, 'cannot watch the repository; polling every second'),
      });
    }
    void this.check();
  }

  /** Fetches now (a new subscriber must hear the current revision). */
  poke(): void {
    void this.check();
  }

  close(): void {
    this.closed = true;
    this.dirWatch?.close();
    if (this.timer) clearTimeout(this.timer);
  }

  private async check(): Promise<void> {
    if (this.closed) return;
    if (this.running) {
      this.again = true; // a change arrived mid-fetch; look once more when it finishes
      return;
    }
    this.running = true;
    let ok = true;
    try {
      await this.source.fetch();
    } catch (e) {
      ok = false;
      if (e instanceof SourceError) this.options.onError?.(e);
      else if (!isSluiceError(e))
        this.source.logger.warn({ source: this.source.location, error: String(e) }, 'watching the source failed');
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      return this.check();
    }
    if (!this.options.dirs) this.schedule(ok);
  }

  private schedule(ok: boolean): void {
    if (this.closed) return;
    // A poke (a webhook, a new subscriber) fetches between two timed fetches: the interval
    // starts again from it rather than running a second timer beside the first.
    if (this.timer) clearTimeout(this.timer);
    const retryAt = this.options.retryAt();
    const delay = !ok && retryAt !== undefined ? Math.max(0, retryAt - Date.now()) : this.options.pollIntervalMs;
    this.timer = setTimeout(() => void this.check(), delay);
  }
}
