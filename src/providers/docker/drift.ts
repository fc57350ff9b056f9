import type Dockerode from 'dockerode';
import type { ProviderLog, Scope } from '../types.js';
import { LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from './labels.js';
import { serviceKey } from './plan.js';

interface EngineEvent {
  Type: string;
  Action: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export interface DriftWatch {
  log: ProviderLog;
  /** The Sluice scope a container with these labels belongs to, if any. */
  scopeOf(labels: Record<string, string>): Scope | undefined;
  /** Sluice itself is changing this Compose project: its events are not drift. */
  isBusy(project: string): boolean;
  /** Whether Sluice caused this event itself (and forgets it, as each is awaited once). */
  isOwn(id: string, action: string): boolean;
  emit(scope: Scope, key: string | undefined, message: string): void;
}

/** What someone did to a container, for people; undefined for events that change nothing Sluice runs. */
export function describeEvent(e: EngineEvent): string | undefined {
  const a = e.Actor?.Attributes ?? {};
  const name = a['name'] ?? (e.Actor?.ID ?? e.id ?? '').slice(0, 12);
  switch (e.Action) {
    case 'die':
      return `container ${name} stopped outside Sluice (exit code ${a['exitCode'] ?? 'unknown'})`;
    case 'destroy':
      return `container ${name} was removed outside Sluice`;
    case 'create':
      return `container ${name} was created outside Sluice with the project's labels`;
    case 'oom':
      return `container ${name} ran out of memory`;
    default:
      return undefined;
  }
}

/**
 * Follows the Engine's event stream for containers of Compose projects and reports what
 * happened to Sluice's ones without Sluice asking. Reconnects when the stream ends.
 */
export function watchDrift(docker: Dockerode, w: DriftWatch): () => void {
  let stopped = false;
  let current: NodeJS.ReadableStream | undefined;
  let retry: NodeJS.Timeout | undefined;
  const connect = () => {
    if (stopped) return;
    docker
      .getEvents({ filters: { type: ['container'], label: [LABEL_PROJECT] } })
      .then((stream) => {
        if (stopped) return (stream as unknown as { destroy(): void }).destroy();
        current = stream;
        let buffered = '';
        stream.on('data', (chunk: Buffer) => {
          buffered += chunk.toString('utf8');
          let nl: number;
          while ((nl = buffered.indexOf('\n')) >= 0) {
            const line = buffered.slice(0, nl).trim();
            buffered = buffered.slice(nl + 1);
            if (line) handle(JSON.parse(line) as EngineEvent);
          }
        });
        stream.on('end', reconnect);
        stream.on('error', reconnect);
      })
      .catch((e: unknown) => {
        w.log.debug({ err: (e as Error).message }, 'docker events unavailable');
        reconnect();
      });
  };
  const reconnect = () => {
    if (stopped || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      connect();
    }, 2000);
    retry.unref();
  };
  const handle = (e: EngineEvent) => {
    const labels = e.Actor?.Attributes ?? {};
    if (labels[LABEL_ONEOFF] === 'True') return;
    const project = labels[LABEL_PROJECT];
    const id = e.Actor?.ID ?? e.id ?? '';
    if (!project || w.isOwn(id, e.Action) || w.isBusy(project)) return;
    const message = describeEvent(e);
    const scope = message ? w.scopeOf(labels) : undefined;
    if (!message || !scope) return;
    const service = labels[LABEL_SERVICE];
    w.emit(scope, service ? serviceKey(service) : undefined, message);
  };
  connect();
  return () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    (current as unknown as { destroy?(): void } | undefined)?.destroy?.();
  };
}
