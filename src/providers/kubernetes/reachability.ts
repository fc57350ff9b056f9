import { ProviderError } from '../../errors/index.js';
import type { KubeClient } from './client.js';

/**
 * Whether the API server answers now. Live state and health come from watch caches, which go
 * on holding the last objects they saw when the server stops answering (a watch on a hung
 * connection simply stays quiet), so reads from memory first ask for a recent sign of life:
 * one cheap request, shared by every caller while it is in flight, trusted for a few seconds.
 */
export class Reachability {
  private lastAnswer = 0;
  private inflight: Promise<void> | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly freshMs = 5_000,
    private readonly probeMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when the server answered within the last few seconds; rejects with why it did not. */
  confirm(): Promise<void> {
    if (this.now() - this.lastAnswer < this.freshMs) return Promise.resolve();
    this.inflight ??= this.probe().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Something else just heard from the server (a write or a list), which is as good as a probe. */
  answered(): void {
    this.lastAnswer = this.now();
  }

  private async probe(): Promise<void> {
    const signal = AbortSignal.timeout(this.probeMs);
    try {
      await this.client.request('GET', '/version', { signal });
      this.answered();
    } catch (e) {
      // Refused credentials are an answer: say that, not that the server is gone.
      if (e instanceof ProviderError && e.code === 'KUBE_UNAUTHORIZED') throw e;
      // The client words an aborted request its own way: the probe's own clock says it was a timeout.
      const timedOut = signal.aborted || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'));
      const why = timedOut
        ? `no answer within ${Math.round(this.probeMs / 1000)}s`
        : e instanceof Error
          ? e.message
          : String(e);
      throw new ProviderError('KUBE_UNREACHABLE', `the Kubernetes API server is not answering: ${why}`, {
        hint: 'Live state and health are unknown until it answers again; Sluice keeps trying.',
        retry: true,
        cause: e,
      });
    }
  }
}
