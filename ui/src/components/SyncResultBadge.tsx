import type { SyncResult } from '../api/types.ts';
import { Badge, type Tone } from './Badge.tsx';

const tones: Record<SyncResult, Tone> = {
  Running: 'busy',
  Succeeded: 'ok',
  Failed: 'bad',
  Skipped: 'idle',
  Superseded: 'idle',
};

export function SyncResultBadge({ result }: { result: SyncResult }) {
  return <Badge tone={tones[result] ?? 'idle'} label={result} testId="sync-result" />;
}
