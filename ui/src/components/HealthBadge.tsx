import type { HealthStatus } from '../api/types.ts';
import { Badge, type Tone } from './Badge.tsx';

const tones: Record<HealthStatus, Tone> = {
  Healthy: 'ok',
  Progressing: 'busy',
  Degraded: 'bad',
  Missing: 'warn',
  Suspended: 'idle',
  Unknown: 'idle',
};

export function HealthBadge({ health, testId = 'health-badge' }: { health: HealthStatus; testId?: string }) {
  return <Badge tone={tones[health] ?? 'idle'} label={health} testId={testId} title={`Health: ${health}`} />;
}
