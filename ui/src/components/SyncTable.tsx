import type { SyncRecord } from '../api/types.ts';
import { duration, location } from '../format.ts';
import { PlanSummaryText } from './PlanSummaryText.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { Revision } from './Revision.tsx';
import { SyncResultBadge } from './SyncResultBadge.tsx';

/** The last syncs of one app × environment, newest first, as the server returns them. */
export function SyncTable({ syncs }: { syncs: SyncRecord[] }) {
  if (syncs.length === 0)
    return (
      <p className="muted" data-testid="syncs-empty">
        No syncs yet.
      </p>
    );
  return (
    <table className="grid" data-testid="syncs" aria-label="Last syncs">
      <thead>
        <tr>
          <th scope="col">Revision</th>
          <th scope="col">Trigger</th>
          <th scope="col">Reason</th>
          <th scope="col">Result</th>
          <th scope="col">Plan</th>
          <th scope="col">Duration</th>
          <th scope="col">Started</th>
        </tr>
      </thead>
      <tbody>
        {syncs.map((s) => (
          <tr key={s.id} data-testid="sync-row" data-sync-id={s.id} data-trigger={s.trigger} data-result={s.result}>
            <td>
              <Revision revision={s.revision} />
            </td>
            <td>
              {s.trigger}
              {s.dryRun && <span className="tag">dry run</span>}
              {s.actor && <span className="muted"> by {s.actor}</span>}
            </td>
            <td className="reason">
              {s.reason}
              {s.error && (
                <span className="sync-error">
                  {' '}
                  {s.error.message}
                  {location(s.error) && <code> {location(s.error)}</code>}
                </span>
              )}
            </td>
            <td>
              <SyncResultBadge result={s.result} />
            </td>
            <td>
              <PlanSummaryText summary={s.plan} />
            </td>
            <td className="num" title={phases(s.timings)}>
              {duration(s.startedAt, s.finishedAt)}
            </td>
            <td>
              <RelativeTime iso={s.startedAt} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

// Where the time went, for the duration tooltip: "fetch 12 ms, render 40 ms, …".
function phases(timings: Record<string, number>): string {
  return Object.entries(timings)
    .map(([phase, ms]) => `${phase} ${Math.round(ms)} ms`)
    .join(', ');
}
