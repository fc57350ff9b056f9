import { randomUUID } from 'node:crypto';
import { NotifyError } from './errors.js';
import { DEFAULT_RETRY } from './retry.js';
import { resolveSinks, wants } from './sink.js';
import { SinkQueue } from './sink-queue.js';
import type { Notifier, NotifierConfig, NotifierDeps, NotifierStats, NotifyEvent, ResolvedEvent } from './types.js';

const DEFAULT_QUEUE_LIMIT = 100;
const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

/**
 * Builds the notifier for a project's `spec.notifications`. Throws NOTIFY_URL_MISSING when a
 * sink's URL variable is unset, so a misconfiguration shows at startup rather than at the
 * first failed sync. With no sinks the notifier is a cheap no-op.
 */
export function createNotifier(config: NotifierConfig, deps: NotifierDeps): Notifier {
  const { log } = deps;
  const sinks = resolveSinks(config.sinks, config.env ?? process.env, log, config.environments);
  const policy = { ...DEFAULT_RETRY, ...config.retry };
  policy.maxAttempts = Math.max(1, Math.floor(policy.maxAttempts));
  const stop = new AbortController();
  let closed = false;
  const waiters = new Set<() => void>();
  const settle = () => {
    if (queues.some((q) => q.size > 0)) return;
    for (const w of waiters) w();
    waiters.clear();
  };
  const queues = sinks.map(
    (sink) =>
      new SinkQueue(sink, Math.max(1, config.queueLimit ?? DEFAULT_QUEUE_LIMIT), {
        fetch: deps.fetch ?? globalThis.fetch,
        log,
        policy,
        random: deps.random ?? Math.random,
        stop: stop.signal,
        onFailed: deps.onDeliveryFailed ?? (() => {}),
        onSettled: settle,
      }),
  );
  const dashboard = config.dashboardUrl?.replace(/\/+$/, '');

  const resolve = (event: NotifyEvent): ResolvedEvent =>
    resolveEvent(event, { id: randomUUID(), project: config.project, dashboardUrl: dashboard, now: new Date() });

  const drained = (timeoutMs: number): Promise<boolean> => {
    if (queues.every((q) => q.size === 0)) return Promise.resolve(true);
    return new Promise((done) => {
      const waiter = () => {
        clearTimeout(timer);
        done(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        done(false);
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  return {
    notify(event) {
      try {
        if (closed) {
          log.warn({ type: event.type, app: event.app, env: event.env }, 'notifier closed; event not sent');
          return;
        }
        const targets = queues.filter((q) => wants(q.sink, event.type, event.env));
        if (targets.length === 0) return;
        const resolved = resolve(event);
        for (const q of targets) q.push(resolved);
      } catch (e) {
        // notify() sits on the sync path: whatever goes wrong here must not fail a sync.
        log.warn({ type: event?.type, err: String(e) }, 'notification not queued');
      }
    },
    flush: drained,
    async close(timeoutMs = DEFAULT_CLOSE_TIMEOUT_MS) {
      if (closed) return;
      closed = true;
      const done = await drained(timeoutMs);
      if (done) return;
      let abandoned = 0;
      for (const q of queues) abandoned += q.abandon();
      stop.abort(new NotifyError('NOTIFY_CLOSED', 'notifier closed'));
      await drained(1_000);
      log.warn({ abandoned }, 'notifier closed with deliveries still pending; they were abandoned');
    },
    stats(): NotifierStats {
      const s = { queued: 0, inFlight: 0, delivered: 0, failed: 0, dropped: 0 };
      for (const q of queues) {
        s.queued += q.size - q.inFlight;
        s.inFlight += q.inFlight;
        s.delivered += q.delivered;
        s.failed += q.failed;
        s.dropped += q.dropped;
      }
      return s;
    },
  };
}

/**
 * Every field of an event settled, as sinks receive it: absent facts are `null` (or empty), so
 * receivers see the same shape for every event type.
 */
export function resolveEvent(
  event: NotifyEvent,
  ctx: { id: string; project: string; dashboardUrl: string | undefined; now: Date },
): ResolvedEvent {
  const dashboard = dashboardLink(ctx.dashboardUrl?.replace(/\/+$/, ''), event.app, event.env);
  return {
    id: ctx.id,
    type: event.type,
    project: event.project ?? ctx.project,
    app: event.app ?? null,
    env: event.env ?? null,
    revision: event.revision ?? null,
    message: event.message,
    url: event.url ?? event.requestUrl ?? dashboard,
    time: event.time ?? ctx.now.toISOString(),
    actor: event.actor ?? null,
    artifacts: (event.artifacts ?? []).map((a) => ({
      name: a.name,
      ref: a.ref,
      tag: a.tag ?? null,
      digest: a.digest ?? null,
    })),
    links: { dashboard, commit: event.commitUrl ?? null, request: event.requestUrl ?? null },
    ids: {
      syncId: event.syncId ?? null,
      promotionId: event.promotionId ?? null,
      verificationId: event.verificationId ?? null,
    },
    details: event.details ?? {},
  };
}

/** The dashboard's page of app × environment (its hash routes), or the dashboard itself. */
function dashboardLink(dashboard: string | undefined, app: string | undefined, env: string | undefined): string | null {
  if (!dashboard) return null;
  if (!app || !env) return `${dashboard}/`;
  return `${dashboard}/#/apps/${encodeURIComponent(app)}/envs/${encodeURIComponent(env)}`;
}
