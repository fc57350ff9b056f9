import { useId } from 'react';
import type { DoraDeployment } from '../api/types.ts';
import { absoluteTime, humanDuration, shortDate } from '../format.ts';

const W = 480;
const H = 150;
const PAD = { left: 52, right: 10, top: 10, bottom: 24 };

/** Lead time of each deployed change against when it went live; the dashed line is the median. */
export function LeadTimeChart({
  env,
  deployments,
  since,
  until,
  medianMs,
}: {
  env: string;
  deployments: DoraDeployment[];
  since: string;
  until: string;
  medianMs: number | null;
}) {
  const id = useId();
  const points = deployments.filter((d): d is DoraDeployment & { leadTimeMs: number } => d.leadTimeMs !== undefined);
  const t0 = Date.parse(since);
  const t1 = Math.max(Date.parse(until), t0 + 1);
  const max = Math.max(60_000, ...points.map((p) => p.leadTimeMs));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (iso: string) => PAD.left + ((Date.parse(iso) - t0) / (t1 - t0)) * plotW;
  const y = (ms: number) => PAD.top + plotH - (ms / max) * plotH;

  return (
    <figure className="chart" data-testid="lead-time-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>Lead time for changes in {env}</title>
        <desc id={`${id}-d`}>
          {points.length === 0
            ? 'No change with a lead time went live in this window.'
            : `${points.length} changes; median ${humanDuration(medianMs)}, longest ${humanDuration(max)}.`}
        </desc>
        <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
        <line className="axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={y(0)} />
        <line className="grid-line" x1={PAD.left} x2={W - PAD.right} y1={y(max)} y2={y(max)} />
        <text className="tick" x={PAD.left - 4} y={y(max) + 4} textAnchor="end">
          {humanDuration(max)}
        </text>
        <text className="tick" x={PAD.left - 4} y={y(0) + 4} textAnchor="end">
          0
        </text>
        {medianMs !== null && points.length > 0 && (
          <g>
            <title>Median {humanDuration(medianMs)}</title>
            <line className="median" x1={PAD.left} x2={W - PAD.right} y1={y(medianMs)} y2={y(medianMs)} />
          </g>
        )}
        {points.map((p) => (
          <g key={`${p.app}-${p.revision}`} data-testid="lead-point" data-lead-ms={p.leadTimeMs}>
            <title>
              {p.app} {p.action} {p.revision.slice(0, 7)}: {humanDuration(p.leadTimeMs)}, live{' '}
              {absoluteTime(p.deployedAt)}
              {p.failed ? ' (failed)' : ''}
            </title>
            <circle
              className={p.failed ? 'point-failed' : 'point-ok'}
              cx={x(p.deployedAt)}
              cy={y(p.leadTimeMs)}
              r={4.5}
            />
          </g>
        ))}
        <text className="tick" x={PAD.left} y={H - 6}>
          {shortDate(t0)}
        </text>
        <text className="tick" x={W - PAD.right} y={H - 6} textAnchor="end">
          {shortDate(t1)}
        </text>
      </svg>
      <figcaption className="muted">
        Lead time per change <span className="key key-median" aria-hidden="true" /> median
      </figcaption>
    </figure>
  );
}
