import type { PlanSummary } from '../api/types.ts';

/** "+1 ~2 -0 =3" reads fast in a table; the title spells it out. */
export function PlanSummaryText({ summary }: { summary?: PlanSummary }) {
  if (!summary) return <span className="muted">—</span>;
  const { create, update, delete: del, unchanged } = summary;
  return (
    <span
      className="plan-summary"
      data-testid="plan-summary"
      title={`${create} to create, ${update} to update, ${del} to delete, ${unchanged} unchanged`}
    >
      <span className={create ? 'plan-create' : 'muted'}>+{create}</span>{' '}
      <span className={update ? 'plan-update' : 'muted'}>~{update}</span>{' '}
      <span className={del ? 'plan-delete' : 'muted'}>-{del}</span> <span className="muted">={unchanged}</span>
    </span>
  );
}
