import type { EntryStatus } from '../api/types.ts';
import { Badge, type Tone } from './Badge.tsx';

const tones: Record<EntryStatus, Tone> = {
  pending: 'busy',
  deployed: 'ok',
  failed: 'bad',
  'rolled-back': 'warn',
  superseded: 'idle',
};

const meaning: Record<EntryStatus, string> = {
  pending: 'Committed, not yet synced successfully',
  deployed: 'Synced and healthy',
  failed: 'Its sync or verification failed',
  'rolled-back': 'Undone by a later rollback',
  superseded: 'Replaced by a newer change',
};

export function EntryStatusBadge({ status }: { status: EntryStatus }) {
  return <Badge tone={tones[status] ?? 'idle'} label={status} testId="entry-status" title={meaning[status]} />;
}
