import { useId } from 'react';
import type { DoraDeployment } from '../api/types.ts';
import { localDay, shortDate } from '../format.ts';

const W = 480;
const H = 150;
const PAD = { left: 28, right: 8, top: 10, bottom: 24 };
const DAY = 86_400_000;

interface Day {
  day: string;
  /** Noon of that day, for labels. */
  at: number;
  ok: number;
  failed: number;
}

/** Deployments per calendar day over the window as bars; the failed share of a day in red. */
export function DeploymentsChart({
  env,
  deployments,
  since,
  until,
}: {
  env: string;
  deployments: DoraDeployment[];
  since: string;
  until: string;
}) {
  const id = useId();
  const days = bucket(deployments, Date.parse(since), Date.parse(until));
  const max = Math.max(1, ...days.map((d) => d.ok + d.failed));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const band = plotW / days.length;
  const bar = Math.max(1, Math.min(24, band * 0.7));
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH;
  const busiest = days.reduce((a, b) => (b.ok + b.failed > a.ok + a.failed ? b : a), days[0]!);
  const active = days.filter((d) => d.ok + d.failed > 0).length;

  return (
    <figure className="chart" data-testid="deployments-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>Deployments per day in {env}</title>
        <desc id={`${id}-d`}>
          {deployments.length} deployments on {active} of {days.length} days
          {active > 0 && `; the most on ${shortDate(busiest.at)} (${busiest.ok + busiest.failed})`}.
        </desc>
        <line className="axis" x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} />
        <line className="grid-line" x1={PAD.left} x2={W - PAD.right} y1={y(max)} y2={y(max)} />
        <text className="tick" x={PAD.left - 4} y={y(max) + 4} textAnchor="end">
          {max}
        </text>
        <text className="tick" x={PAD.left - 4} y={y(0) + 4} textAnchor="end">
          0
        </text>
        {days.map((d, i) => {
          const x = PAD.left + i * band + (band - bar) / 2;
          const total = d.ok + d.failed;
          return (
            <g key={d.day} data-testid="day-bar" data-day={d.day} data-count={total}>
              <title>
                {shortDate(d.at)}: {total} deployment{total === 1 ? '' : 's'}
                {d.failed ? `, ${d.failed} failed` : ''}
              </title>
              {/* An invisible full-height band so the tooltip is reachable on days without bars too. */}
              <rect x={PAD.left + i * band} y={PAD.top} width={band} height={plotH} fill="transparent" />
              {d.ok > 0 && <rect className="bar-ok" x={x} y={y(total)} width={bar} height={y(d.failed) - y(total)} />}
              {d.failed > 0 && (
                <rect className="bar-failed" x={x} y={y(d.failed)} width={bar} height={y(0) - y(d.failed)} />
              )}
            </g>
          );
        })}
        <text className="tick" x={PAD.left} y={H - 6}>
          {shortDate(days[0]!.at)}
        </text>
        <text className="tick" x={W - PAD.right} y={H - 6} textAnchor="end">
          {shortDate(days.at(-1)!.at)}
        </text>
      </svg>
      <figcaption className="muted">
        Deployments per day <span className="key key-ok" aria-hidden="true" /> passed{' '}
        <span className="key key-failed" aria-hidden="true" /> failed
      </figcaption>
    </figure>
  );
}

function bucket(deployments: DoraDeployment[], since: number, until: number): Day[] {
  const out = new Map<string, Day>();
  // Day by day from the window's first to its last calendar day, so quiet days show as gaps.
  const start = new Date(since);
  start.setHours(12, 0, 0, 0);
  for (let t = start.getTime(); localDay(t) <= localDay(until); t += DAY) {
    const day = localDay(t);
    out.set(day, { day, at: t, ok: 0, failed: 0 });
    if (out.size > 400) break;
  }
  for (const d of deployments) {
    const day = out.get(localDay(Date.parse(d.deployedAt)));
    if (!day) continue;
    if (d.failed) day.failed++;
    else day.ok++;
  }
  return [...out.values()];
}
