import { useCallback } from 'react';
import { ApiError, UnreachableError, api, containers } from '../api/client.ts';
import { useCan } from '../hooks/useMe.ts';
import { usePoll } from '../hooks/usePoll.ts';
import { ContainersTable } from './ContainersTable.tsx';
import { DriftMarker } from './DriftMarker.tsx';
import { ErrorBox } from './ErrorBox.tsx';
import { EventList } from './EventList.tsx';
import { HealthBadge } from './HealthBadge.tsx';
import { PlanView } from './PlanView.tsx';
import { ResourceTable } from './ResourceTable.tsx';
import { Section } from './Section.tsx';
import { StatusSummary } from './StatusSummary.tsx';
import { SyncActions } from './SyncActions.tsx';
import { SyncBadge } from './SyncBadge.tsx';
import { SyncTable } from './SyncTable.tsx';
import { Timeline } from './Timeline.tsx';

const POLL_MS = 2000;

/** Everything about one app in one environment: where it stands, why, and what a sync would do. */
export function AppEnvView({ app, env }: { app: string; env: string }) {
  const can = useCan();
  const scope = `${app}/${env}`;
  const detail = usePoll(() => api.appEnv(app, env), POLL_MS, scope);
  const events = usePoll(() => api.events({ app, env, limit: 20 }), POLL_MS, scope);
  const ledger = usePoll(() => api.ledger(app, env), POLL_MS, scope);
  const live = usePoll(() => containers(app, env), POLL_MS, scope);
  // A target that cannot say what runs on it answers 404: the section is left out.
  const noContainers = live.error instanceof ApiError && live.error.status === 404;
  const { refresh: refreshDetail } = detail;
  const { refresh: refreshEvents } = events;
  const onQueued = useCallback(() => {
    refreshDetail();
    refreshEvents();
  }, [refreshDetail, refreshEvents]);

  const heading = (
    <nav className="breadcrumb" aria-label="Breadcrumb">
      <a href="#/">All apps</a> <span aria-hidden="true">/</span> {app} <span aria-hidden="true">/</span> {env}
    </nav>
  );

  if (!detail.data) {
    const err = detail.error;
    const notFound = err instanceof ApiError && err.status === 404;
    return (
      <main className="detail" data-testid="detail">
        {heading}
        {detail.loading && (
          <p className="muted">
            Loading {app} in {env}…
          </p>
        )}
        {notFound && (
          <p className="text-bad" data-testid="detail-not-found">
            {err.message} {err.hint && <span className="muted">{err.hint}</span>}
          </p>
        )}
        {err && !notFound && !(err instanceof UnreachableError) && (
          <p className="text-bad">
            Could not load {app} in {env}: {err.message}
          </p>
        )}
      </main>
    );
  }

  const { status, plan, syncs } = detail.data;
  return (
    <main className="detail" data-testid="detail" data-sync={status.sync} data-health={status.health}>
      {heading}
      <div className="detail-title">
        <h2>
          {app} <span className="muted">in</span> {env}
        </h2>
        <SyncBadge sync={status.sync} />
        <HealthBadge health={status.health} />
        {status.drift && <DriftMarker drift={status.drift} />}
      </div>
      {/* Keyed by scope: a queued message or dry-run plan belongs to the scope it was asked for. */}
      {can.sync(env) && <SyncActions key={scope} app={app} env={env} onQueued={onQueued} />}
      {status.error && (
        <ErrorBox
          error={status.error}
          title={
            status.sync === 'Failed'
              ? 'Sync failed'
              : status.sync === 'Stalled'
                ? 'Stalled: waits for a new revision or a manual sync'
                : 'Last error'
          }
        />
      )}
      <div className="detail-grid">
        <Section title="Status">
          <StatusSummary status={status} />
        </Section>
        <Section title="Resources">
          <ResourceTable resources={status.resources} />
        </Section>
      </div>
      {!noContainers && (
        <Section title="Containers" testId="containers-section">
          {live.data ? (
            <ContainersTable containers={live.data.containers} />
          ) : live.error ? (
            <p className="text-bad">Could not read what runs here: {live.error.message}</p>
          ) : (
            <p className="muted">Loading containers…</p>
          )}
        </Section>
      )}
      <Section title="Plan" testId="plan-section">
        <PlanView plan={plan} />
      </Section>
      <Section title="Timeline" testId="timeline-section">
        {ledger.data ? (
          <Timeline entries={ledger.data} />
        ) : ledger.error ? (
          <p className="text-bad">Could not load the ledger: {ledger.error.message}</p>
        ) : (
          <p className="muted">Loading the ledger…</p>
        )}
      </Section>
      <Section title="Last syncs">
        <SyncTable syncs={syncs} />
      </Section>
      <Section title="Recent events">
        {events.data ? <EventList events={events.data} /> : <p className="muted">Loading events…</p>}
      </Section>
    </main>
  );
}
