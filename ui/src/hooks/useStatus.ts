import { useCallback, useEffect, useState } from 'react';
import { api, statusStreamUrl, UnreachableError } from '../api/client.ts';
import type { AppEnvStatus, ProjectStatus } from '../api/types.ts';
import { usePoll, type Poll } from './usePoll.ts';

/** A batch of changed scopes, with the project and source as they are now. */
type StatusChange = Omit<ProjectStatus, 'apps'> & { apps: AppEnvStatus[]; removed: { app: string; env: string }[] };

const key = (a: { app: string; env: string }) => `${a.app}\u0000${a.env}`;

/** Applies a batch of changes: changed scopes replaced where they stand, new ones added, removed ones dropped. */
export function applyChange(current: ProjectStatus | undefined, change: StatusChange): ProjectStatus {
  const { apps: changed, removed, ...header } = change;
  const byKey = new Map((current?.apps ?? []).map((a) => [key(a), a]));
  for (const a of changed) byKey.set(key(a), a);
  for (const r of removed) byKey.delete(key(r));
  return { ...header, apps: [...byKey.values()] };
}

/**
 * The project's status, kept current by the server's event stream; where the stream cannot be
 * opened (an older server, a proxy that refuses it) by polling every `pollMs` instead.
 */
export function useStatus(pollMs: number): Poll<ProjectStatus> {
  const [streamed, setStreamed] = useState<Omit<Poll<ProjectStatus>, 'refresh'>>({ loading: true });
  const [polling, setPolling] = useState(typeof EventSource === 'undefined');
  const poll = usePoll(() => api.status(), pollMs, 'status', polling);

  useEffect(() => {
    if (polling) return;
    const source = new EventSource(statusStreamUrl);
    let received = false;
    const on = (event: string, apply: (current: ProjectStatus | undefined, data: never) => ProjectStatus) =>
      source.addEventListener(event, (e) => {
        received = true;
        const data = JSON.parse((e as MessageEvent<string>).data) as never;
        setStreamed((s) => ({ data: apply(s.data, data), loading: false, updatedAt: Date.now() }));
      });
    on('snapshot', (_current, data: ProjectStatus) => data);
    on('change', (current, data: StatusChange) => applyChange(current, data));
    on('header', (current, data: Omit<ProjectStatus, 'apps'>) => ({ ...data, apps: current?.apps ?? [] }));
    source.onerror = () => {
      // Never opened, or refused for good (no such route, no session): polling takes over.
      if (!received || source.readyState === EventSource.CLOSED) {
        source.close();
        setPolling(true);
        return;
      }
      // Lost after it worked: the browser reconnects by itself, and its snapshot replaces everything.
      setStreamed((s) => ({ ...s, error: new UnreachableError('the status stream was interrupted') }));
    };
    return () => source.close();
  }, [polling]);

  const refresh = useCallback(() => {
    void api.status().then(
      (data) => setStreamed({ data, loading: false, updatedAt: Date.now() }),
      () => undefined,
    );
  }, []);
  return polling ? poll : { ...streamed, refresh };
}
