import type { Resource } from '../model/resource.js';
import type { LiveResource, Plan, ResourceHealth } from '../plan/types.js';

/** One app in one environment of one project: the unit a provider applies and reports on. */
export interface Scope {
  project: string;
  app: string;
  env: string;
}

export interface PlanOptions {
  /** Include deletions of resources Sluice applied earlier that are no longer desired. */
  prune: boolean;
}

export interface ApplyOptions extends PlanOptions {
  /** Config repo revision being applied; stamped on everything the provider creates. */
  revision: string;
  /** Why this apply happens ("new revision abc123", "drift: replica 1 exited"); kept with workloads. */
  reason: string;
  /** Ask the target what would change without changing anything (server-side dry run where there is one). */
  dryRun?: boolean;
  /** Take ownership of fields another writer holds (Kubernetes server-side apply conflicts); only where the environment allows it. */
  force?: boolean;
  signal?: AbortSignal;
  /** Human-readable progress ("starting replica 2/3"). */
  onProgress?: (message: string) => void;
}

/**
 * Something that happened on a target without Sluice asking: a replica exited, was restarted,
 * an object was edited by someone else. `drift` events make the reconciler re-plan the scope
 * (and heal it when the environment has selfHeal).
 */
export interface ProviderEvent {
  scope: Scope;
  type: 'drift' | 'exited' | 'restarted' | 'unhealthy' | 'healthy' | 'adopted' | 'replaced';
  /** resourceKey() of the resource concerned, when there is one. */
  key?: string;
  /** What happened, for people: "replica hello-1 (pid 4242) was killed by SIGKILL". */
  message: string;
  time: Date;
}

/**
 * A target behind one narrow interface. A provider is the only part that knows a target;
 * the reconciler moves resources through plan → apply → health without knowing how.
 */
export interface Provider {
  /** `process`, `docker` or `kubernetes`. */
  readonly kind: string;
  /** Whether this provider can apply the resource (by apiVersion/kind). */
  accepts(resource: Resource): boolean;
  /**
   * Checks a resource's fields before anything is applied (unknown fields, wrong types).
   * Paths let the caller point at the file and line the field came from.
   */
  validate?(resource: Resource): ResourceIssue[];
  /** Starts supervising/adopting what already runs. Called once before anything else. */
  start(): Promise<void>;
  /** What Sluice applied earlier in this scope, as the target reports it now. */
  live(scope: Scope): Promise<LiveResource[]>;
  /** Desired vs live. Changes nothing on the target. */
  plan(scope: Scope, desired: Resource[], options: PlanOptions): Promise<Plan>;
  /**
   * Makes live match desired and returns the plan that was carried out. Returns once the
   * changes are made; health is awaited separately through health(). Rolls replacements so
   * an unhealthy new version never takes the old one down.
   */
  apply(scope: Scope, desired: Resource[], options: ApplyOptions): Promise<Plan>;
  /** Health of every resource in scope (desired and live). */
  health(scope: Scope): Promise<ResourceHealth[]>;
  /** Every scope that has live resources, including ones Git no longer mentions. */
  scopes(): Promise<Scope[]>;
  /** Removes everything Sluice applied in the scope. */
  destroy(scope: Scope): Promise<void>;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: ProviderEvent) => void): () => void;
  /** Stops watching. With `stopWorkloads`, also stops what it runs (the process provider on Ctrl-C). */
  close(options?: { stopWorkloads?: boolean }): Promise<void>;
}

export interface ResourceIssue {
  /** Path of the offending field inside the resource, e.g. `['spec', 'replicas']`. */
  path: (string | number)[];
  message: string;
  hint?: string;
}

/** What every provider gets from the controller that creates it. */
export interface ProviderContext {
  /** Sluice's data directory; a provider keeps its own state below `<dataDir>/<kind>/`. */
  dataDir: string;
  log: ProviderLog;
}

/** The slice of a pino logger a provider needs, so providers don't depend on a logging library. */
export interface ProviderLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export function scopeId(scope: Scope): string {
  return `${scope.project}/${scope.env}/${scope.app}`;
}
