import type { AppEnvStatus } from '../api/types.ts';
import { absoluteTime, timeUntil } from '../format.ts';
import { useNow } from '../hooks/useNow.ts';
import { RelativeTime } from './RelativeTime.tsx';
import { Revision } from './Revision.tsx';

export function StatusSummary({ status }: { status: AppEnvStatus }) {
  return (
    <dl className="summary" data-testid="status-summary">
      <dt>Target</dt>
      <dd>
        {status.target} <span className="muted">({status.provider})</span>
      </dd>
      <dt>Synced revision</dt>
      <dd>
        <Revision revision={status.syncedRevision} testId="synced-revision" />
      </dd>
      <dt>Desired revision</dt>
      <dd>
        <Revision revision={status.desiredRevision} testId="desired-revision" />
      </dd>
      <dt>Auto-sync</dt>
      <dd data-testid="auto-sync" data-value={status.autoSync ? 'on' : 'off'}>
        {status.autoSync ? 'on' : 'off'}
        {status.autoSync && <span className="muted">, self-heal {status.selfHeal ? 'on' : 'off'}</span>}
      </dd>
      <dt>Last sync</dt>
      <dd>
        <RelativeTime iso={status.lastSync?.finishedAt ?? status.lastSync?.startedAt} />
      </dd>
      {status.reason && (
        <>
          <dt>Reason</dt>
          <dd data-testid="status-reason">{status.reason}</dd>
        </>
      )}
      {status.nextAttemptAt && (
        <>
          <dt>Next attempt</dt>
          <dd data-testid="next-attempt">
            <NextAttempt iso={status.nextAttemptAt} />{' '}
            <span className="muted">(attempt {(status.attempts ?? 0) + 1})</span>
          </dd>
        </>
      )}
      {status.healthReason && (
        <>
          <dt>Health</dt>
          <dd data-testid="health-reason">{status.healthReason}</dd>
        </>
      )}
    </dl>
  );
}

function NextAttempt({ iso }: { iso: string }) {
  const now = useNow();
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {timeUntil(iso, now)}
    </time>
  );
}
