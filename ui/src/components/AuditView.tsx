import { api } from '../api/client.ts';
import { usePoll } from '../hooks/usePoll.ts';
import { RelativeTime } from './RelativeTime.tsx';

const POLL_MS = 5000;

/** The audit trail of the API: every change asked for, by whom, and how it ended. */
export function AuditView() {
  const calls = usePoll(() => api.audit(200), POLL_MS, 'audit');
  return (
    <main data-testid="audit-view">
      <div className="detail-title">
        <h2>Audit</h2>
        <span className="muted">Every change asked of the API, newest first</span>
      </div>
      {calls.error && !calls.data && <p className="text-bad">Could not load the audit trail: {calls.error.message}</p>}
      {calls.data && (
        <table className="grid" data-testid="audit-table" aria-label="Audit trail">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>Call</th>
              <th>App</th>
              <th>Env</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {calls.data.map((c) => (
              <tr key={c.id} data-testid="audit-row">
                <td>
                  <RelativeTime iso={c.at} />
                </td>
                <td title={c.subject}>{c.actor}</td>
                <td>
                  <code>
                    {c.method} {c.route}
                  </code>
                </td>
                <td>{c.app ?? '–'}</td>
                <td>{c.env ?? '–'}</td>
                <td className={c.status >= 400 ? 'text-bad' : undefined}>{c.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
