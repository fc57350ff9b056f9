import type { ReactNode } from 'react';
import type { Promotion } from '../api/types.ts';
import { detailHref } from '../hooks/useRoute.ts';
import { ApprovalList } from './ApprovalList.tsx';
import { ArtifactList } from './ArtifactList.tsx';
import { GateList } from './GateList.tsx';
import { PromotionStateBadge } from './PromotionStateBadge.tsx';
import { RelativeTime } from './RelativeTime.tsx';
import { Revision } from './Revision.tsx';

const KINDS: Record<Promotion['kind'], string> = {
  'set-image': 'Set image',
  promote: 'Promote',
  rollback: 'Roll back',
};

/** One request: what it changes where, its gates and reviews, and (while open) the review buttons. */
export function PromotionCard({ promotion: p, children }: { promotion: Promotion; children?: ReactNode }) {
  return (
    <article
      className={`promotion promotion-${p.state}`}
      data-testid="promotion"
      data-promotion-id={p.id}
      data-state={p.state}
      aria-labelledby={`promotion-${p.id}`}
    >
      <header className="promotion-head">
        <h4 id={`promotion-${p.id}`}>
          <span className="muted">#{p.id}</span> {KINDS[p.kind] ?? p.kind}{' '}
          <a href={detailHref(p.app, p.env)}>{p.app}</a>{' '}
          {p.fromEnv ? (
            <>
              from <strong>{p.fromEnv}</strong> to <strong>{p.env}</strong>
            </>
          ) : (
            <>
              in <strong>{p.env}</strong>
            </>
          )}
        </h4>
        <PromotionStateBadge state={p.state} />
        <span className="muted">
          by <span data-testid="promotion-author">{p.author}</span>, <RelativeTime iso={p.createdAt} />
          {p.state !== 'open' && (
            <>
              ; {p.state} <RelativeTime iso={p.updatedAt} />
            </>
          )}
        </span>
        {p.state === 'merged' && p.revision && (
          <span>
            <span className="muted">commit</span> <Revision revision={p.revision} testId="promotion-revision" />
          </span>
        )}
        {p.external?.url && (
          <a href={p.external.url}>
            {p.external.backend} {p.external.id}
          </a>
        )}
      </header>
      {p.message && (
        <p
          className={p.state === 'failed' || p.state === 'rejected' ? 'text-bad' : 'muted'}
          data-testid="promotion-message"
        >
          {p.message}
        </p>
      )}
      <div className="promotion-body">
        <div>
          <h5>Artifacts</h5>
          <ArtifactList artifacts={p.artifacts} />
        </div>
        <div>
          <h5>Gates</h5>
          <GateList gates={p.gates} state={p.state} />
        </div>
        <div>
          <h5>Reviews</h5>
          <ApprovalList approvals={p.approvals} />
        </div>
      </div>
      {children}
    </article>
  );
}
