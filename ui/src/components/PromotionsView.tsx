import { useCallback } from 'react';
import { api } from '../api/client.ts';
import { awaitsApproval } from '../promotions.ts';
import { useCan } from '../hooks/useMe.ts';
import { usePoll } from '../hooks/usePoll.ts';
import { PromotionCard } from './PromotionCard.tsx';
import { ReviewActions } from './ReviewActions.tsx';
import { Section } from './Section.tsx';

const POLL_MS = 2000;
const RECENT = 20;

/** Open requests with their gates and review buttons, then the most recently closed ones. */
export function PromotionsView({ onReviewed }: { onReviewed: () => void }) {
  const list = usePoll(() => api.promotions({ limit: 100 }), POLL_MS, 'promotions');
  const can = useCan();
  const { refresh } = list;
  const reviewed = useCallback(() => {
    refresh();
    onReviewed();
  }, [refresh, onReviewed]);

  const all = list.data ?? [];
  const open = all.filter((p) => p.state === 'open');
  const closed = all.filter((p) => p.state !== 'open').slice(0, RECENT);
  const waiting = open.filter(awaitsApproval).length;

  return (
    <main data-testid="promotions-view">
      <div className="detail-title">
        <h2>Promotions</h2>
        <span className="muted" data-testid="promotions-summary">
          {list.data ? `${open.length} open, ${waiting} awaiting approval` : ''}
        </span>
      </div>
      {list.error && !list.data && <p className="text-bad">Could not load requests: {list.error.message}</p>}
      <Section title="Open requests" testId="open-promotions">
        {!list.data ? (
          <p className="muted">Loading requests…</p>
        ) : open.length === 0 ? (
          <p className="muted" data-testid="open-empty">
            Nothing waits for a review.
          </p>
        ) : (
          open.map((p) => (
            <PromotionCard key={p.id} promotion={p}>
              {can.approve(p.env) && <ReviewActions id={p.id} review={api.review} onReviewed={reviewed} />}
            </PromotionCard>
          ))
        )}
      </Section>
      <Section title="Recently closed" testId="closed-promotions">
        {list.data && closed.length === 0 ? (
          <p className="muted">No request was merged, rejected or failed yet.</p>
        ) : (
          closed.map((p) => <PromotionCard key={p.id} promotion={p} />)
        )}
      </Section>
    </main>
  );
}
