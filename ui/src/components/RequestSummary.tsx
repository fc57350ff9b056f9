import type { Promotion } from '../api/types.ts';
import { ApprovalList } from './ApprovalList.tsx';
import { GateList } from './GateList.tsx';
import { PromotionStateBadge } from './PromotionStateBadge.tsx';
import { RelativeTime } from './RelativeTime.tsx';

/** A change's promotion request in one line: number, state, author, gates, then its reviews. */
export function RequestSummary({ promotion: p }: { promotion: Promotion }) {
  return (
    <div className="request-summary" data-promotion-id={p.id} data-state={p.state}>
      <a href="#/promotions" className="request-id" data-testid="request-id">
        #{p.id}
      </a>{' '}
      <PromotionStateBadge state={p.state} />{' '}
      <span className="muted">
        opened by {p.author} <RelativeTime iso={p.createdAt} />
      </span>
      <GateList gates={p.gates} state={p.state} compact />
      <ApprovalList approvals={p.approvals} />
    </div>
  );
}
