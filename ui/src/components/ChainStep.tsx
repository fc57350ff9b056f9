import type { ReactNode } from 'react';

/** One link in a change's chain (source, artifacts, request, commit, syncs, verification, rollback). */
export function ChainStep({
  label,
  testId,
  tone,
  children,
}: {
  label: string;
  testId: string;
  tone?: 'ok' | 'bad' | 'warn';
  children: ReactNode;
}) {
  return (
    <div className={`chain-step${tone ? ` chain-${tone}` : ''}`} data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}
