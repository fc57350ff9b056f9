import { describeError } from '../errors/index.js';
import type { PromotionRecord } from '../store/ledger-types.js';
import type { PromotionService } from './service.js';
import { settleRequest } from './settle.js';

/** The requests a poller works on: those open, and how one is settled. */
export interface PendingRequests {
  open(): Promise<PromotionRecord[]>;
  settle(id: number): Promise<unknown>;
}

/** The promotion service's open requests, settled as `sluice approve` settles them. */
export function pendingRequestsOf(svc: PromotionService): PendingRequests {
  return {
    open: () => svc.o.store.ledger.listPromotions({ state: 'open' }),
    settle: (id) => settleRequest(svc, id),
  };
}

export interface RequestPollerOptions {
  /** Pause between rounds; read every second so a changed sluice.yaml applies at once. */
  intervalMs: () => number;
  /** How often the interval is read again (tests); one second by default. */
  checkEveryMs?: number;
  log?: { warn(data: object, msg: string): void };
  /**
   * Whether this controller settles requests now: among several replicas on one store only the
   * leader does. Always, when not given.
   */
  active?: () => boolean;
}

export interface RequestPoller {
  /**
   * One round now: every open request, local or hosted, is settled again. Called when a gate's
   * input may have changed (a new revision, a finished sync); a call during a round runs one
   * more round after it, so no change is missed.
   */
  tick(): Promise<void>;
  close(): void;
}

/**
 * Settles every open request on an interval and whenever asked: an approval given on GitHub or
 * GitLab merges the promotion without anyone running `sluice approve`, a request for changes
 * (or a closed request) rejects it, and a request that waited for its source to turn healthy
 * again or for a soak time merges once every gate passes, local or hosted alike.
 */
export function pollRequests(requests: PendingRequests, o: RequestPollerOptions): RequestPoller {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let running: Promise<void> | undefined;

  const round = async () => {
    if (o.active && !o.active()) return;
    const open = await requests.open();
    for (const p of open) {
      if (closed) return;
      try {
        await requests.settle(p.id);
      } catch (e) {
        // One unreachable host or broken request must not stop the others; the next round retries.
        o.log?.warn(
          { promotionId: p.id, ...(p.external ? { request: p.external.url ?? p.external.id } : {}) },
          `settling the request failed: ${describeError(e)}`,
        );
      }
    }
  };
  let lastRound = Date.now();
  let again = false;
  const tick = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = round().finally(() => {
      running = undefined;
      lastRound = Date.now();
      if (again && !closed) {
        again = false;
        void tick().catch(() => undefined);
      }
    });
    return running;
  };
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
