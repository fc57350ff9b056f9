import type { ReactNode } from 'react';

/** One metric as a big number with its unit, and a line that says what it is made of. */
export function MetricTile({
  label,
  value,
  unit,
  raw,
  testId,
  children,
}: {
  label: string;
  value: string;
  unit?: string;
  /** The unrounded value, for tests and tooltips. */
  raw: number | null;
  testId: string;
  children?: ReactNode;
}) {
  return (
    <div className="metric" data-testid={testId} data-value={raw ?? ''}>
      <div className="metric-label">{label}</div>
      <div className="metric-value" title={raw === null ? 'no data in this window' : String(raw)}>
        <span className="metric-number">{value}</span>
        {unit && <span className="metric-unit"> {unit}</span>}
      </div>
      {children && <div className="metric-detail muted">{children}</div>}
    </div>
  );
}
