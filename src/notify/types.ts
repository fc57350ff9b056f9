import type { NotificationEventType, NotificationSpec } from '../config/schema.js';
import type { NotifyError } from './errors.js';

export type { NotificationEventType, NotificationSpec };

/** Something worth telling people about. `notify()` takes it; sinks receive it rendered. */
export interface NotifyEvent {
  type: NotificationEventType;
  /** The app and environment concerned; leave out for project-wide events. */
  app?: string;
  env?: string;
  /** What happened, in one or two sentences a person can act on. */
  message: string;
  /** Config-repo commit the event is about, when there is one. */
  revision?: string;
  /** Defaults to the notifier's project. */
  project?: string;
  /** ISO time; defaults to the moment `notify()` was called. */
  time?: string;
  /** Link to show instead of the dashboard page of app × env (e.g. a pull request). */
  url?: string;
  /** Who asked for it: the request author, the approver, the committer; `sluice` for what Sluice decided itself. */
  actor?: string;
  /** The artifacts the event is about (what was promoted, what failed verification, what is held). */
  artifacts?: readonly NotifiedArtifact[];
  /** The config commit on its forge, when the remote is on a known host. */
  commitUrl?: string;
  /** The promotion request, where it lives (a pull/merge request, or the dashboard). */
  requestUrl?: string;
  /** Ids that tie the event to the rest of Sluice's records. */
  syncId?: number;
  promotionId?: number;
  verificationId?: number;
  /** Extra facts: error code, from-environment, failed checks… Plain JSON values. */
  details?: Record<string, unknown>;
}

/** An artifact as events carry it: an image by digest, or a file by sha256. */
export interface NotifiedArtifact {
  name: string;
  ref: string;
  tag?: string;
  digest?: string;
}

/** The event as sinks receive it: every field settled, plus an id receivers can de-duplicate retries with. */
export interface ResolvedEvent {
  id: string;
  type: NotificationEventType;
  project: string;
  app: string | null;
  env: string | null;
  revision: string | null;
  message: string;
  url: string | null;
  time: string;
  actor: string | null;
  artifacts: { name: string; ref: string; tag: string | null; digest: string | null }[];
  links: { dashboard: string | null; commit: string | null; request: string | null };
  ids: { syncId: number | null; promotionId: number | null; verificationId: number | null };
  details: Record<string, unknown>;
}

export interface NotifyLog {
  warn(data: object, msg: string): void;
  info?(data: object, msg: string): void;
  debug?(data: object, msg: string): void;
}

export interface DeliveryFailure {
  /** Name of the sink from sluice.yaml. */
  sink: string;
  sinkType: NotificationSpec['type'];
  event: ResolvedEvent;
  /** Attempts made, including the last one. */
  attempts: number;
  /** Why the last attempt failed; the message and hint are safe to store and show. */
  error: NotifyError;
}

export interface RetryPolicy {
  /** Attempts per delivery, including the first. Default 5. */
  maxAttempts: number;
  /** Delay before the first retry; doubles each time. Default 1 s. */
  baseDelayMs: number;
  /** Largest delay between attempts (before jitter). Default 60 s. */
  maxDelayMs: number;
  /** A 429 Retry-After longer than this gives up instead of waiting. Default 5 min. */
  maxRetryAfterMs: number;
}

export interface NotifierConfig {
  /** Project name, used when an event does not name one. */
  project: string;
  /** Sinks, as in `spec.notifications`. */
  sinks: readonly NotificationSpec[];
  /** Base URL of the dashboard; events link to `<dashboardUrl>/#/apps/<app>/envs/<env>` (or the dashboard itself). */
  dashboardUrl?: string;
  /** The project's environment names; a sink filtering on any other is refused (a typo would silence it). */
  environments?: readonly string[];
  /** Deliveries waiting per sink before new ones are dropped. Default 100. */
  queueLimit?: number;
  retry?: Partial<RetryPolicy>;
  /** Where `urlFrom.env` is looked up; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface NotifierDeps {
  log: NotifyLog;
  /** Called once per delivery that gave up; the caller records it (e.g. as a store event). */
  onDeliveryFailed?: (failure: DeliveryFailure) => void;
  /** Replaces the global fetch (tests, proxies). */
  fetch?: typeof fetch;
  /** Replaces Math.random for jitter (tests). */
  random?: () => number;
}

export interface NotifierStats {
  queued: number;
  inFlight: number;
  delivered: number;
  failed: number;
  dropped: number;
}

export interface Notifier {
  /** Queues the event for every sink that wants it and returns at once; never throws. */
  notify(event: NotifyEvent): void;
  /** Waits until every queue is empty or `timeoutMs` passed; true when everything was delivered or given up. */
  flush(timeoutMs: number): Promise<boolean>;
  /** Stops taking events, gives queued deliveries up to `timeoutMs` (default 5 s), then abandons the rest. */
  close(timeoutMs?: number): Promise<void>;
  stats(): NotifierStats;
}
