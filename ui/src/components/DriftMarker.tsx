import type { AppEnvStatus } from '../api/types.ts';

/** Live moved away from Git without a new revision; the causes say what moved. */
export function DriftMarker({ drift }: { drift: NonNullable<AppEnvStatus['drift']> }) {
  const causes = drift.causes.length ? drift.causes.join('; ') : 'live differs from desired';
  return (
    <span className="drift" data-testid="drift" title={`Drift since ${drift.since}: ${causes}`}>
      <span aria-hidden="true">⚠</span> drift: {causes}
    </span>
  );
}
