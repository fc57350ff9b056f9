import type { SyncStatus } from '../api/types.ts';
import { Badge, type Tone } from './Badge.tsx';

const tones: Record<SyncStatus, Tone> = {
  Synced: 'ok',
  OutOfSync: 'warn',
  Syncing: 'busy',
  Failed: 'bad',
  Stalled: 'bad',
  Unknown: 'idle',
};

export function SyncBadge({ sync }: { sync: SyncStatus }) {
  return <Badge tone={tones[sync] ?? 'idle'} label={sync} testId="sync-badge" title={`Sync: ${sync}`} />;
}
