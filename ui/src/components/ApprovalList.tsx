import type { ApprovalRecord } from '../api/types.ts';
import { RelativeTime } from './RelativeTime.tsx';

/** Who approved or rejected a request, when, and what they said. */
export function ApprovalList({ approvals }: { approvals: ApprovalRecord[] }) {
  if (approvals.length === 0)
    return (
      <span className="muted" data-testid="approvals-none">
        no reviews yet
      </span>
    );
  return (
    <ul className="approvals" data-testid="approvals">
      {approvals.map((a) => (
        <li key={a.id} data-testid="approval" data-actor={a.actor} data-decision={a.decision}>
          <span className={a.decision === 'approve' ? 'text-ok' : 'text-bad'} aria-hidden="true">
            {a.decision === 'approve' ? '✓' : '✗'}
          </span>{' '}
          <strong>{a.actor}</strong> {a.decision === 'approve' ? 'approved' : 'rejected'} <RelativeTime iso={a.at} />
          {a.comment && <q className="approval-comment">{a.comment}</q>}
        </li>
      ))}
    </ul>
  );
}
