import type { PromotionState } from '../api/types.ts';
import { Badge, type Tone } from './Badge.tsx';

const tones: Record<PromotionState, Tone> = { open: 'warn', merged: 'ok', rejected: 'bad', failed: 'bad' };

export function PromotionStateBadge({ state }: { state: PromotionState }) {
  return <Badge tone={tones[state] ?? 'idle'} label={state} testId="promotion-state" title={`Request ${state}`} />;
}
