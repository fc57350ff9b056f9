import { describeError } from '../errors/index.js';
import type { PromotionService } from './service.js';

export interface RequestPollerOptions {
  /** Pause between rounds; read every second so a changed sluice.yaml applies at once. */
  intervalMs: () => number;
  /** How often the interval is read again (tests); one second by default. */
  checkEveryMs?: number;
  log?: { warn(data: object, msg: string): void };
}

export interface RequestPoller {
  /** One round now: every open request that lives on a forge is settled again. */
  tick(): Promise<void>;
  close(): void;
}

/**
 * Reads open hosted requests back on an interval and settles each one, so an approval given
 * on GitHub or GitLab merges the promotion without anyone running `sluice approve`, and a
 * request for changes (or a closed request) rejects it. Requests that live only in Sluice are
 * left alone: nothing outside Sluice can change them.
 */
export function pollRequests(svc: PromotionService, o: RequestPollerOptions): RequestPoller {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> | undefined;

  const round = async () => {
    const open = await svc.o.store.ledger.listPromotions({ state: 'open' });
    for (const p of open) {
      if (closed) return;
      if (!p.external || p.external.backend === 'local') continue;
      try {
        await svc.settle(p.id);
      } catch (e) {
        // One unreachable host or broken request must not stop the others; the next round retries.
        o.log?.warn(
          { promotionId: p.id, request: p.external.url ?? p.external.id },
          `reading the request back failed: ${describeError(e)}`,
        );
      }
    }
  };
  let lastRound = Date.now();
  const tick = () => (running ??= round().finally(() => ((running = undefined), (lastRound = Date.now()))));
  // The interval is known only once sluice.yaml's hosting settings are read, which may happen
  // after start (the first request): a short check timer lets a shorter interval apply at once
  // instead of after the default interval has run out.
  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      const due = Date.now() - lastRound >= Math.max(250, o.intervalMs());
      void (due ? tick() : Promise.resolve()).finally(schedule);
    }, o.checkEveryMs ?? 1000);
    timer.unref();
  };
  schedule();
  return {
    tick,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
