import { useState } from 'react';
import { api } from '../api/client.ts';
import type { Plan } from '../api/types.ts';
import { PlanView } from './PlanView.tsx';

type Outcome =
  | { kind: 'idle' }
  | { kind: 'busy'; dryRun: boolean }
  | { kind: 'queued' }
  | { kind: 'planned'; plan: Plan }
  | { kind: 'failed'; message: string };

/**
 * Asks the reconciler to run (the UI never touches a target itself). A dry run answers with the
 * plan straight away; a real sync is queued and shows up in the syncs table on the next poll.
 */
export function SyncActions({ app, env, onQueued }: { app: string; env: string; onQueued: () => void }) {
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });

  const run = async (dryRun: boolean) => {
    setOutcome({ kind: 'busy', dryRun });
    try {
      const res = await api.sync(app, env, dryRun);
      if (res && 'changes' in res) {
        setOutcome({ kind: 'planned', plan: res });
      } else {
        setOutcome({ kind: 'queued' });
        onQueued();
      }
    } catch (err) {
      setOutcome({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  };

  const busy = outcome.kind === 'busy';
  return (
    <div className="sync-actions">
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() => void run(false)}
          data-testid="sync-button"
        >
          {busy && !outcome.dryRun ? 'Syncing…' : 'Sync'}
        </button>
        <button type="button" disabled={busy} onClick={() => void run(true)} data-testid="dry-run-button">
          {busy && outcome.dryRun ? 'Planning…' : 'Dry run'}
        </button>
        <span role="status" aria-live="polite" className="sync-outcome" data-testid="sync-outcome">
          {outcome.kind === 'queued' && `Sync of ${app} to ${env} queued.`}
          {outcome.kind === 'planned' && 'Dry run: nothing was applied.'}
          {outcome.kind === 'failed' && <span className="text-bad">Could not start the sync: {outcome.message}</span>}
        </span>
      </div>
      {outcome.kind === 'planned' && (
        <section className="dry-run" aria-label="Dry-run plan">
          <h3>
            Dry-run plan{' '}
            <button type="button" className="link" onClick={() => setOutcome({ kind: 'idle' })}>
              dismiss
            </button>
          </h3>
          <PlanView plan={outcome.plan} testId="dry-run-plan" />
        </section>
      )}
    </div>
  );
}
