import type { Resource } from '../../model/resource.js';
import type { ProviderLog } from '../types.js';
import type { KubeClient } from './client.js';
import { KubeApiError } from './client.js';
import { ProviderError } from '../../errors/index.js';

/**
 * A list-then-watch mirror of one collection (an informer): live state is read from memory,
 * so a pass where nothing changed costs no API calls, and every change anyone makes arrives
 * as an event with the object before and after.
 */

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type CacheListener = (type: CacheEventType, object: Resource, previous: Resource | undefined) => void;

interface ListResponse {
  metadata?: { resourceVersion?: string; continue?: string };
  items?: Resource[];
}

const PAGE = 500;
const RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/** 1 s, 2 s, 4 s … up to 30 s, with jitter so many watches on one server do not reconnect in step. */
export function backoff(failures: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, RETRY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.5 + random() / 2));
}

/** Why the first list failed, for people: most often RBAC without cluster-wide list/watch. */
function listError(e: unknown, path: string): Error {
  if (!(e instanceof KubeApiError)) return e as Error;
  const forbidden = e.statusCode === 403;
  return new ProviderError(forbidden ? 'KUBE_FORBIDDEN' : 'KUBE_API', `cannot list and watch ${path}: ${e.message}`, {
    hint: forbidden
      ? 'Sluice watches each kind it applies in all namespaces; grant list and watch on it cluster-wide.'
      : 'See the message from the API server.',
    cause: e,
  });
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Newer-or-equal by resourceVersion; etcd-backed servers use integers, other text compares unequal. */
function isNewer(candidate: Resource, current: Resource | undefined): boolean {
  if (!current) return true;
  const a = Number(candidate.metadata.resourceVersion);
  const b = Number(current.metadata.resourceVersion);
  if (Number.isFinite(a) && Number.isFinite(b)) return a >= b;
  return true;
}

export class WatchCache {
  private readonly items = new Map<string, Resource>();
  /** Keys by the value of the indexed label (the applyset id), so one scope's members are found without a scan. */
  private readonly index = new Map<string, Set<string>>();
  private readonly listeners = new Set<CacheListener>();
  private changes = 0;
  private readonly abort = new AbortController();
  private resourceVersion = '';
  readonly ready: Promise<void>;
  private failed: Error | undefined;

  constructor(
    private readonly client: KubeClient,
    /** Collection path, e.g. `/apis/apps/v1/deployments` (all namespaces). */
    private readonly path: string,
    private readonly labelSelector: string,
    private readonly log: ProviderLog,
    /** apiVersion/kind to stamp on listed items (lists omit them). */
    private readonly typeMeta: { apiVersion: string; kind: string },
    private readonly indexLabel?: string,
  ) {
    this.ready = this.list().catch((e: unknown) => {
      throw listError(e, path);
    });
    this.ready.then(
      () => void this.loop(),
      (e: unknown) => {
        this.failed = e as Error;
      },
    );
  }

  get error(): Error | undefined {
    return this.failed;
  }

  private async list(): Promise<void> {
    const seen = new Map<string, Resource>();
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.client.request<ListResponse>('GET', this.path, {
        query: { labelSelector: this.labelSelector, limit: PAGE, continue: cont },
        signal: this.abort.signal,
      });
      for (const item of page.items ?? []) {
        const obj = { ...item, ...this.typeMeta } as Resource;
        seen.set(objectKey(obj.metadata.namespace, obj.metadata.name), obj);
      }
      cont = page.metadata?.continue || undefined;
      rv = page.metadata?.resourceVersion ?? rv;
    } while (cont);
    // Relisting after a gap: report what changed meanwhile, like the watch would have.
    for (const [key, prev] of this.items) if (!seen.has(key)) this.apply('DELETED', prev);
    for (const obj of seen.values())
      this.apply(this.items.has(objectKey(obj.metadata.namespace, obj.metadata.name)) ? 'MODIFIED' : 'ADDED', obj);
    this.resourceVersion = rv;
  }

  private apply(type: CacheEventType, obj: Resource): void {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const previous = this.items.get(key);
    if (type === 'DELETED') {
      // Already gone: Sluice removed it from the mirror when it deleted it.
      if (!previous) return;
      this.items.delete(key);
      this.unindex(key, previous);
    } else {
      if (previous && previous.metadata.resourceVersion === obj.metadata.resourceVersion) return;
      if (!isNewer(obj, previous)) return;
      this.items.set(key, obj);
      if (previous) this.unindex(key, previous);
      this.reindex(key, obj);
    }
    this.changes++;
    for (const l of this.listeners) {
      try {
        l(type, obj, previous);
      } catch (e) {
        this.log.error({ err: e }, 'kubernetes watch listener failed');
      }
    }
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.abort.signal.aborted) {
      const started = Date.now();
      try {
        await this.client.watch(
          this.path,
          {
            labelSelector: this.labelSelector,
            resourceVersion: this.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: 300,
          },
          (ev) => {
            const obj = { ...ev.object, ...this.typeMeta } as Resource;
            if (ev.type === 'BOOKMARK') {
              this.resourceVersion = (obj.metadata.resourceVersion as string | undefined) ?? this.resourceVersion;
              return;
            }
            if (ev.type === 'ERROR') throw new KubeApiError((ev.object.code as number) ?? 500, ev.object);
            this.resourceVersion = (obj.metadata.resourceVersion as string | undefined) ?? this.resourceVersion;
            this.apply(ev.type as CacheEventType, obj);
          },
          this.abort.signal,
        );
        failures = 0;
        // A server (or proxy) that ends watches at once must not be hammered in a tight loop.
        if (Date.now() - started < RETRY_MS) await this.pause(RETRY_MS);
      } catch (e) {
        if (this.abort.signal.aborted) return;
        // 410 Gone: the resource version is too old to resume from; list again.
        const gone = e instanceof KubeApiError && e.statusCode === 410;
        if (!gone) {
          // A watch that ran a good while before it broke starts the backoff afresh.
          if (Date.now() - started > MAX_RETRY_MS) failures = 0;
          failures++;
          this.log.debug(
            { err: (e as Error).message, path: this.path, failures },
            'kubernetes watch interrupted; resuming',
          );
          await this.pause(backoff(failures));
        }
        try {
          if (gone || !this.resourceVersion) await this.list();
        } catch (listErr) {
          this.log.warn({ err: (listErr as Error).message, path: this.path }, 'kubernetes relist failed; retrying');
        }
      }
    }
  }

  /** Waits, but not past stop(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(t);
          resolve();
        },
        { once: true },
      );
    });
  }

  private reindex(key: string, obj: Resource): void {
    const v = this.indexLabel ? obj.metadata.labels?.[this.indexLabel] : undefined;
    if (v === undefined) return;
    let set = this.index.get(v);
    if (!set) this.index.set(v, (set = new Set()));
    set.add(key);
  }

  private unindex(key: string, obj: Resource): void {
    const v = this.indexLabel ? obj.metadata.labels?.[this.indexLabel] : undefined;
    if (v === undefined) return;
    const set = this.index.get(v);
    set?.delete(key);
    if (set?.size === 0) this.index.delete(v);
  }

  /** Rises with every change to what the cache holds (a watch event, a relist, a write recorded). */
  get version(): number {
    return this.changes;
  }

  /** Objects whose indexed label has this value. */
  byLabel(value: string): Resource[] {
    return [...(this.index.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  /** Records an object Sluice just wrote, so reads right after a write see it. */
  put(obj: Resource): void {
    this.apply('MODIFIED', { ...obj, ...this.typeMeta } as Resource);
  }

  remove(namespace: string | undefined, name: string): void {
    const prev = this.items.get(objectKey(namespace, name));
    if (prev) this.apply('DELETED', prev);
  }

  get(namespace: string | undefined, name: string): Resource | undefined {
    return this.items.get(objectKey(namespace, name));
  }

  values(): IterableIterator<Resource> {
    return this.items.values();
  }

  on(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.abort.abort();
  }
}
