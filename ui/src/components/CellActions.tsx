import { useState } from 'react';
import { api, ApiError } from '../api/client.ts';
import type { Promotion } from '../api/types.ts';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy'; what: string }
  | { kind: 'done'; text: string }
  | { kind: 'failed'; text: string; hint?: string };

/**
 * Promote, Rollback and Approve for one app in one environment, shown only where the identity
 * may use them. Each is a commit or a request the server checks again; its refusal is shown.
 */
export function CellActions({
  app,
  env,
  canPromote,
  canRollback,
  canApprove,
  open,
  actor,
  onDone,
}: {
  app: string;
  env: string;
  /** Set when there is an environment to promote from and the identity may deploy here. */
  canPromote: boolean;
  canRollback: boolean;
  canApprove: boolean;
  /** Open requests into this environment. */
  open: readonly Promotion[];
  actor: string;
  onDone: () => void;
}) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const approvable = canApprove ? open : [];
  if (!canPromote && !canRollback && approvable.length === 0) return null;
  const who = actor.trim();

  const run = async (what: string, action: () => Promise<string>) => {
    setOutcome({ kind: 'busy', what });
    try {
      setOutcome({ kind: 'done', text: await action() });
      onDone();
    } catch (err) {
      setOutcome({
        kind: 'failed',
        text: err instanceof Error ? err.message : String(err),
        ...(err instanceof ApiError && err.hint ? { hint: err.hint } : {}),
      });
    }
  };
  const busy = outcome.kind === 'busy';
  const title = (verb: string) => (who ? `${verb} as ${who}` : verb);

  return (
    <div className="cell-actions" data-testid={`cell-actions-${app}-${env}`}>
      {canPromote && (
        <button
          type="button"
          disabled={busy}
          title={title(`Promote ${app} to ${env}`)}
          data-testid="promote-button"
          onClick={() =>
            void run('promote', async () => {
              const r = await api.promote(app, env);
              return r.promotion ? `request #${r.promotion.id} opened` : `promotion ${r.mode}`;
            })
          }
        >
          {busy && outcome.what === 'promote' ? 'Promoting…' : 'Promote'}
        </button>
      )}
      {canRollback && (
        <button
          type="button"
          className="danger"
          disabled={busy}
          title={title(`Roll ${app} back in ${env}`)}
          data-testid="rollback-button"
          onClick={() =>
            void run('rollback', async () => {
              const r = await api.rollback(app, env);
              return `rollback ${r.mode}${r.revision ? ` as ${r.revision.slice(0, 7)}` : ''}`;
            })
          }
        >
          {busy && outcome.what === 'rollback' ? 'Rolling back…' : 'Rollback'}
        </button>
      )}
      {approvable.map((p) => (
        <button
          key={p.id}
          type="button"
          className="primary"
          disabled={busy}
          title={title(`Approve request #${p.id}`)}
          data-testid="approve-cell-button"
          data-promotion={p.id}
          onClick={() =>
            void run(`approve-${p.id}`, async () => {
              const r = await api.review(p.id, 'approve');
              return `#${p.id} ${r.state}`;
            })
          }
        >
          {busy && outcome.what === `approve-${p.id}` ? 'Approving…' : `Approve #${p.id}`}
        </button>
      ))}
      <span role="status" aria-live="polite" className="cell-action-outcome" data-testid="cell-action-outcome">
        {outcome.kind === 'done' && outcome.text}
        {outcome.kind === 'failed' && (
          <span className="text-bad" title={outcome.hint}>
            {outcome.text}
          </span>
        )}
      </span>
    </div>
  );
}
