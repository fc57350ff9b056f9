import type { DoraDeployment } from '../api/types.ts';
import { humanDuration } from '../format.ts';
import { RelativeTime } from './RelativeTime.tsx';
import { Revision } from './Revision.tsx';

/** Every deployment a report counted, so each number can be checked by hand. */
export function DeploymentTable({ deployments }: { deployments: DoraDeployment[] }) {
  return (
    <details className="deployments" data-testid="deployments">
      <summary>Deployments counted ({deployments.length})</summary>
      <table className="grid" aria-label="Deployments counted">
        <thead>
          <tr>
            <th scope="col">App</th>
            <th scope="col">Change</th>
            <th scope="col">Commit</th>
            <th scope="col">Live</th>
            <th scope="col">Lead time</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {[...deployments].reverse().map((d) => (
            <tr key={`${d.app}-${d.revision}`} data-testid="deployment-row" data-failed={d.failed}>
              <td>{d.app}</td>
              <td>{d.action}</td>
              <td>
                <Revision revision={d.revision} />
              </td>
              <td>
                <RelativeTime iso={d.deployedAt} />
              </td>
              <td className="num">{d.leadTimeMs === undefined ? '—' : humanDuration(d.leadTimeMs)}</td>
              <td className={d.failed ? 'text-bad' : undefined}>
                {d.failed ? `failed (${d.failure ?? 'unknown'})` : 'ok'}
                {d.restoredAt && (
                  <span className="muted">
                    , restored <RelativeTime iso={d.restoredAt} />
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
