import type { Change, ChangeAction, Plan } from '../api/types.ts';
import { Badge, type Tone } from './Badge.tsx';
import { DiffBlock } from './DiffBlock.tsx';
import { PlanSummaryText } from './PlanSummaryText.tsx';

// Up to this many changes every diff is open; beyond it the list is easier to scan folded.
const OPEN_DIFFS = 5;

const tones: Record<ChangeAction, Tone> = { create: 'ok', update: 'warn', delete: 'bad', unchanged: 'idle' };

/** What a sync of the desired revision would do: changing resources first, each with its diff. */
export function PlanView({ plan, testId = 'plan' }: { plan?: Plan; testId?: string }) {
  if (!plan) {
    return (
      <p className="muted" data-testid={testId}>
        No plan yet: the controller has not rendered this app for this environment.
      </p>
    );
  }
  const changing = plan.changes.filter((c) => c.action !== 'unchanged');
  const unchanged = plan.changes.filter((c) => c.action === 'unchanged');
  return (
    <div data-testid={testId}>
      <p>
        <PlanSummaryText summary={plan.summary} />{' '}
        {changing.length === 0 && <span className="muted">Live matches Git: nothing to apply.</span>}
      </p>
      {changing.length > 0 && (
        <ul className="changes">
          {changing.map((c) => (
            <ChangeItem key={c.key} change={c} open={changing.length <= OPEN_DIFFS} />
          ))}
        </ul>
      )}
      {unchanged.length > 0 && (
        <p className="muted unchanged" data-testid="unchanged">
          Unchanged: {unchanged.map((c) => `${c.kind}/${c.name}`).join(', ')}
        </p>
      )}
    </div>
  );
}

function ChangeItem({ change, open }: { change: Change; open: boolean }) {
  const name = `${change.kind}/${change.namespace ? `${change.namespace}/` : ''}${change.name}`;
  const head = (
    <>
      <Badge tone={tones[change.action]} label={change.action} testId="change-action" />
      <code>{name}</code>
      {change.reason && <span className="muted">{change.reason}</span>}
    </>
  );
  return (
    <li className="change" data-testid="change" data-action={change.action}>
      {change.diff ? (
        <details open={open}>
          <summary className="change-head">{head}</summary>
          <DiffBlock diff={change.diff} label={`Diff for ${name}`} />
        </details>
      ) : (
        <div className="change-head">{head}</div>
      )}
    </li>
  );
}
