import type { Project, Target } from '../config/index.js';
import { ProviderError, ValidationError, isSluiceError } from '../errors/index.js';
import { connectionKey } from '../providers/index.js';
import type { Provider, ProviderEvent } from '../providers/types.js';
import { backoffDelay } from './backoff.js';
import { bounded, type TargetTimeouts } from './deadline.js';

interface Entry {
  key: string;
  provider: Provider;
  started: Promise<void>;
  /** Set while start() has failed: the error and when the next start may be tried. */
  failure?: { error: unknown; retryAt: number; attempts: number };
}

/**
 * One provider per target, created and started on first use. A provider whose start failed
 * (the target was down when Sluice started) is started again with backoff; a provider whose
 * connection changed is closed once its replacement exists, so two never supervise one target.
 */
export class ProviderPool {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  constructor(
    private readonly create: (target: Target) => Provider,
    private readonly onEvent: (e: ProviderEvent) => void,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly timeouts: TargetTimeouts = {},
  ) {}

  /** The started provider for a target; throws a transient TARGET_UNAVAILABLE while it cannot be started. */
  async get(project: Project, name: string): Promise<Provider> {
    const e = this.entry(project, name);
    try {
      await e.started;
    } catch (err) {
      throw unavailable(name, err, e.failure?.retryAt);
    }
    return e.provider;
  }

  /** The provider's kind for a target, without waiting for it to start. */
  kindOf(project: Project, name: string): string {
    return this.entry(project, name).provider.kind;
  }

  /** Why a target cannot be used now, if it cannot. */
  problem(project: Project, name: string): string | undefined {
    const e = this.entries.get(name);
    const target = project.targets.get(name);
    if (!e?.failure || !target || e.key !== connectionKey(target)) return undefined;
    return unavailable(name, e.failure.error, e.failure.retryAt).message;
  }

  private entry(project: Project, name: string): Entry {
    // A pass still running while the controller stops must not start a provider (its watches,
    // its children) that would outlive the stop.
    if (this.closed)
      throw new ProviderError('CONTROLLER_STOPPED', `target "${name}" is not used any more: the controller stopped`, {
        retry: false,
      });
    const target = project.targets.get(name);
    if (!target) throw new ValidationError('CONFIG_INVALID', `unknown target "${name}"`, { file: project.file });
    // Only the connection counts: editing a target's description keeps its provider.
    const key = connectionKey(target);
    const existing = this.entries.get(name);
    // A provider whose credentials file now names another server or user is replaced like a changed key.
    const current = existing && existing.key === key && !existing.provider.outdated?.();
    if (current && !(existing.failure && existing.failure.retryAt <= this.now())) return existing;
    if (existing) {
      // Replaced (its connection changed) or restarted after a failed start: never leave the old one running.
      void existing.started.then(
        () => existing.provider.close(),
        () => existing.provider.close(),
      );
    }
    const provider = bounded(this.create(target), this.timeouts);
    provider.onEvent(this.onEvent);
    const entry: Entry = { key, provider, started: Promise.resolve() };
    const attempts = existing?.key === key ? (existing.failure?.attempts ?? 0) : 0;
    entry.started = provider.start().catch((error: unknown) => {
      const n = attempts + 1;
      entry.failure = { error, attempts: n, retryAt: this.now() + backoffDelay(n, 2_000, 300_000, this.random) };
      throw error;
    });
    // Callers that only look at the kind must not see an unhandled rejection.
    entry.started.catch(() => undefined);
    this.entries.set(name, entry);
    return entry;
  }

  /** Waits until every provider created so far has started or failed to. */
  async ready(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((e) => e.started));
  }

  async closeAll(options: { stopWorkloads?: boolean }): Promise<void> {
    this.closed = true;
    await this.ready();
    await Promise.all([...this.entries.values()].map((e) => e.provider.close(options)));
  }
}

function unavailable(name: string, err: unknown, retryAt: number | undefined): ProviderError {
  const why = isSluiceError(err) ? err.message : err instanceof Error ? err.message : String(err);
  const next = retryAt ? `; next attempt at ${new Date(retryAt).toISOString()}` : '';
  return new ProviderError('TARGET_UNAVAILABLE', `target "${name}" could not be started: ${why}${next}`, {
    hint:
      isSluiceError(err) && err.hint
        ? err.hint
        : 'Sluice starts it again with backoff; check that the target is up and reachable.',
    retry: true,
    cause: err,
  });
}
