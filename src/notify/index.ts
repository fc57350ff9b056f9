/**
 * The `notify` part: tells people about sync failures, drift and promotions through webhook
 * sinks configured in `spec.notifications`, without ever slowing the caller down.
 *
 * ```ts
 * const notifier = createNotifier(
 *   { project: 'shop', sinks: spec.notifications ?? [], dashboardUrl: 'https://sluice.example.com' },
 *   { log, onDeliveryFailed: (f) => store.addEvent({ project: 'shop', app: f.event.app, env: f.event.env,
 *       type: 'notification.failed', severity: 'warning', message: f.error.message, data: { sink: f.sink } }) },
 * );
 * notifier.notify({ type: 'sync.failed', app: 'payments', env: 'prod', revision, message: 'apply failed: …' });
 * await notifier.close(); // on shutdown
 * ```
 *
 * Each sink has its own bounded queue drained in the background: `notify()` returns at once,
 * events beyond the bound are dropped, counted (`stats().dropped`) and logged. Deliveries are
 * retried with capped exponential backoff and jitter (5xx, 408, timeouts, network errors),
 * honour a 429's Retry-After, and give up after `retry.maxAttempts`, reporting through
 * `onDeliveryFailed`. Sink URLs are never logged and are scrubbed from every message.
 * Payloads and headers are documented in docs/notifications.md.
 */
export { createNotifier, resolveEvent } from './notifier.js';
export { render as renderDelivery } from './payload.js';
export { NotifyError } from './errors.js';
export { DEFAULT_RETRY, backoffDelay, parseRetryAfter } from './retry.js';
export { slackMessage } from './slack.js';
export type { SlackMessage, SlackBlock } from './slack.js';
export type {
  Notifier,
  NotifierConfig,
  NotifierDeps,
  NotifierStats,
  NotifyEvent,
  NotifiedArtifact,
  ResolvedEvent,
  NotifyLog,
  DeliveryFailure,
  RetryPolicy,
  NotificationEventType,
  NotificationSpec,
} from './types.js';
