import type { LedgerSync, SyncResult } from '../api/types.ts';
import { duration } from '../format.ts';
import { Badge, type Tone } from './Badge.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { SyncResultBadge } from './SyncResultBadge.tsx';

const healthTones: Record<string, Tone> = { Healthy: 'ok', Progressing: 'busy', Degraded: 'bad', Missing: 'warn' };
const triggers: Record<string, string> = {
  revision: 'on the new revision',
  drift: 'to undo drift',
  manual: 'by hand',
  startup: 'at startup',
  retry: 'as a retry',
};

/** The syncs that applied one change: result, health, when and how long. */
export function LedgerSyncList({ syncs }: { syncs: LedgerSync[] }) {
  if (syncs.length === 0)
    return (
      <span className="muted" data-testid="entry-syncs-none">
        not synced yet
      </span>
    );
  return (
    <ul className="entry-syncs" data-testid="entry-syncs">
      {syncs.map((s) => (
        <li key={s.id} data-testid="entry-sync" data-sync-id={s.id} data-result={s.result} data-health={s.health}>
          <span className="muted">#{s.id}</span> <SyncResultBadge result={s.result as SyncResult} />
          {s.health && (
            <Badge tone={healthTones[s.health] ?? 'idle'} label={s.health} title={`Health: ${s.health}`} />
          )}{' '}
          <span className="muted">
            {triggers[s.trigger] ?? s.trigger} <RelativeTime iso={s.startedAt} />, took{' '}
            {duration(s.startedAt, s.finishedAt)}
          </span>
          {s.error && <span className="sync-error"> {s.error}</span>}
        </li>
      ))}
    </ul>
  );
}
