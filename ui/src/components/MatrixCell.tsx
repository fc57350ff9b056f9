import type { AppEnvStatus } from '../api/types.ts';
import { location } from '../format.ts';
import { detailHref } from '../hooks/useRoute.ts';
import { DriftMarker } from './DriftMarker.tsx';
import { HealthBadge } from './HealthBadge.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { Revision } from './Revision.tsx';
import { SyncBadge } from './SyncBadge.tsx';

/** One app in one environment at a glance; the whole cell links to its detail. */
export function MatrixCell({ status }: { status: AppEnvStatus }) {
  const { app, env, sync, health, syncedRevision, desiredRevision, drift, error, lastSync } = status;
  const pending = desiredRevision && desiredRevision !== syncedRevision;
  const where = error && location(error);
  return (
    <a
      className={`cell cell-${sync.toLowerCase()}`}
      href={detailHref(app, env)}
      aria-label={`${app} in ${env}: ${sync}, ${health}`}
      data-testid={`cell-${app}-${env}`}
      data-sync={sync}
      data-health={health}
    >
      <span className="cell-badges">
        <SyncBadge sync={sync} />
        <HealthBadge health={health} />
      </span>
      <span className="cell-revision">
        <Revision revision={syncedRevision} testId="revision" />
        {pending && (
          <>
            {' → '}
            <Revision revision={desiredRevision} testId="desired-revision" />
          </>
        )}
      </span>
      {error && (
        <span className="cell-error" data-testid="cell-error" title={error.message}>
          {where ?? error.code}
        </span>
      )}
      {drift && <DriftMarker drift={drift} />}
      <span className="cell-time muted">
        synced <RelativeTime iso={lastSync?.finishedAt ?? lastSync?.startedAt} testId="last-sync" />
      </span>
    </a>
  );
}
