import { api } from '../api/client.ts';
import { deploymentRate, durationParts, humanDuration, percent } from '../format.ts';
import { usePoll } from '../hooks/usePoll.ts';
import { DeploymentTable } from './DeploymentTable.tsx';
import { DeploymentsChart } from './DeploymentsChart.tsx';
import { LeadTimeChart } from './LeadTimeChart.tsx';
import { MetricTile } from './MetricTile.tsx';

const POLL_MS = 10_000;

/** The four DORA metrics of one environment over the window, with the deployments behind them. */
export function DoraEnvironment({ env, days, isProtected }: { env: string; days: number; isProtected: boolean }) {
  const report = usePoll(() => api.dora(env, days), POLL_MS, `${env}/${days}`);
  const r = report.data;
  const headingId = `dora-${env}`;
  return (
    <section
      className="dora-env"
      aria-labelledby={headingId}
      data-testid={`dora-${env}`}
      data-deployments={r?.deployments}
    >
      <h3 id={headingId}>
        {env}
        {isProtected && <span className="env-protected">protected</span>}
      </h3>
      {!r ? (
        report.error ? (
          <p className="text-bad">Could not compute the metrics: {report.error.message}</p>
        ) : (
          <p className="muted">Computing…</p>
        )
      ) : (
        <>
          <div className="metrics">
            <MetricTile
              label="Deployment frequency"
              {...deploymentRate(r.deploymentsPerDay)}
              raw={r.deploymentsPerDay}
              testId="metric-frequency"
            >
              <span data-testid="deployment-count">{r.deployments}</span> deployment{r.deployments === 1 ? '' : 's'} in{' '}
              {days} days
            </MetricTile>
            <MetricTile
              label="Lead time for changes"
              {...durationParts(r.leadTime.medianMs)}
              raw={r.leadTime.medianMs}
              testId="metric-lead-time"
            >
              {r.leadTime.count
                ? `median of ${r.leadTime.count}; mean ${humanDuration(r.leadTime.meanMs)}`
                : 'no change went live'}
            </MetricTile>
            <MetricTile
              label="Change failure rate"
              value={percent(r.changeFailureRate)}
              raw={r.changeFailureRate}
              testId="metric-failure-rate"
            >
              {r.failedDeployments} of {r.deployments} deployments failed
            </MetricTile>
            <MetricTile
              label="Time to restore"
              {...durationParts(r.timeToRestore.medianMs)}
              raw={r.timeToRestore.medianMs}
              testId="metric-restore"
            >
              {r.timeToRestore.count
                ? `median of ${r.timeToRestore.count}; mean ${humanDuration(r.timeToRestore.meanMs)}`
                : 'nothing to restore'}
              {r.timeToRestore.unrestored > 0 && (
                <span className="text-bad">; {r.timeToRestore.unrestored} not restored yet</span>
              )}
            </MetricTile>
          </div>
          <div className="charts">
            {/* rollbacks are restorations, not deployments: the bars add up to the deployment count */}
            <DeploymentsChart
              env={env}
              deployments={r.details.filter((d) => !d.restoration)}
              since={r.since}
              until={r.until}
            />
            <LeadTimeChart
              env={env}
              deployments={r.details}
              since={r.since}
              until={r.until}
              medianMs={r.leadTime.medianMs}
            />
          </div>
          {r.details.length > 0 && <DeploymentTable deployments={r.details} />}
        </>
      )}
    </section>
  );
}
