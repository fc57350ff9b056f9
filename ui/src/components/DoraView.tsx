import type { Environment } from '../api/types.ts';
import type { DoraWindowDays } from '../hooks/useRoute.ts';
import { DoraEnvironment } from './DoraEnvironment.tsx';
import { WindowPicker } from './WindowPicker.tsx';

/** Deployment frequency, lead time, change failure rate and time to restore, per environment (docs/dora.md). */
export function DoraView({ environments, days }: { environments: Environment[]; days: DoraWindowDays }) {
  return (
    <main data-testid="dora-view" data-days={days}>
      <div className="detail-title">
        <h2>DORA metrics</h2>
        <span className="muted">last {days} days, from the deployment ledger</span>
        <WindowPicker days={days} />
      </div>
      {environments.map((e) => (
        <DoraEnvironment key={e.name} env={e.name} days={days} isProtected={e.protected} />
      ))}
    </main>
  );
}
