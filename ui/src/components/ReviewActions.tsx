import { useId, useState } from 'react';
import { ApiError } from '../api/client.ts';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy'; decision: Decision }
  | { kind: 'failed'; message: string; hint?: string; code?: string };
type Decision = 'approve' | 'reject';

/**
 * Approve or reject one open request as the signed-in identity. The server decides who may: its
 * refusal (e.g. the author approving on a protected environment) is shown with its hint.
 */
export function ReviewActions({
  id,
  review,
  onReviewed,
}: {
  id: number;
  review: (id: number, decision: Decision, comment?: string) => Promise<unknown>;
  onReviewed: () => void;
}) {
  const [comment, setComment] = useState('');
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const commentId = useId();

  const run = async (decision: Decision) => {
    setOutcome({ kind: 'busy', decision });
    try {
      await review(id, decision, comment.trim() || undefined);
      setOutcome({ kind: 'idle' });
      setComment('');
      onReviewed();
    } catch (err) {
      setOutcome({
        kind: 'failed',
        message: err instanceof Error ? err.message : String(err),
        ...(err instanceof ApiError && err.hint ? { hint: err.hint } : {}),
        ...(err instanceof ApiError && err.code ? { code: err.code } : {}),
      });
    }
  };

  const busy = outcome.kind === 'busy';
  return (
    <div className="review" data-testid="review">
      <label htmlFor={commentId} className="sr-only">
        Comment on request #{id}
      </label>
      <input
        id={commentId}
        type="text"
        className="review-comment"
        placeholder="Comment (optional)"
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        data-testid="review-comment"
      />
      <button
        type="button"
        className="primary"
        disabled={busy}
        onClick={() => void run('approve')}
        data-testid="approve-button"
      >
        {busy && outcome.decision === 'approve' ? 'Approving…' : 'Approve'}
      </button>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={() => void run('reject')}
        data-testid="reject-button"
      >
        {busy && outcome.decision === 'reject' ? 'Rejecting…' : 'Reject'}
      </button>
      <div role="status" aria-live="polite" className="review-outcome">
        {outcome.kind === 'failed' && (
          <div className="review-error" data-testid="review-error" data-code={outcome.code}>
            <strong>{outcome.message}</strong>
            {outcome.hint && (
              <div className="review-hint" data-testid="review-hint">
                <strong>Hint:</strong> {outcome.hint}
              </div>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
