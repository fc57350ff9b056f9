import type { ReactNode } from 'react';
import type { AppEnvStatus, SyncResult } from '../api/types.ts';
import { location, shortSha } from '../format.ts';
import { detailHref } from '../hooks/useRoute.ts';
import { FileLocation } from './FileLocation.tsx';
import { DriftMarker } from './DriftMarker.tsx';
import { HealthBadge } from './HealthBadge.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { Revision } from './Revision.tsx';
import { SyncBadge } from './SyncBadge.tsx';

// The last sync's outcome in a word, so "12s ago" never reads as success when it failed.
const lastSyncWord: Record<SyncResult, string> = {
  Succeeded: 'synced',
  Failed: 'sync failed',
  Running: 'sync started',
  Skipped: 'sync skipped',
  Superseded: 'sync superseded',
};

/** One app in one environment at a glance; the whole cell links to its detail. */
export function MatrixCell({ status, children }: { status: AppEnvStatus; children?: ReactNode }) {
  const { app, env, sync, health, syncedRevision, desiredRevision, drift, error, lastSync } = status;
  const pending = desiredRevision && desiredRevision !== syncedRevision;
  const where = error && location(error);
  // The link's name is all a screen reader hears of the cell, so it carries what the cell shows.
  const label = [
    `${app} in ${env}: ${sync}, ${health}`,
    `revision ${shortSha(syncedRevision)}`,
    pending && `syncing to ${shortSha(desiredRevision)}`,
    error && `error ${where ?? error.code}`,
    drift && 'drifted',
  ]
    .filter(Boolean)
    .join(', ');
  return (
    <a
      className={`cell cell-${sync.toLowerCase()}`}
      href={detailHref(app, env)}
      aria-label={label}
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
      {children}
      {error && (
        <span className="cell-error" data-testid="cell-error" title={error.message}>
          {where ? <FileLocation location={where} /> : error.code}
        </span>
      )}
      {drift && <DriftMarker drift={drift} />}
      <span className="cell-time muted">
        {lastSync ? (
          <>
            {lastSyncWord[lastSync.result] ?? 'synced'}{' '}
            <RelativeTime iso={lastSync.finishedAt ?? lastSync.startedAt} testId="last-sync" />
          </>
        ) : (
          'never synced'
        )}
      </span>
    </a>
  );
}
