import type { HoldRecord } from '../api/types.ts';
import { shortDigest } from '../format.ts';

/** Digests held in this environment after their verification failed; lifted with `sluice hold lift`. */
export function HeldBadge({ holds }: { holds: readonly HoldRecord[] }) {
  if (holds.length === 0) return null;
  const why = holds.map((h) => `${h.artifact.name} ${shortDigest(h.digest)}: ${h.reason}`).join('\n');
  return (
    <span className="badge badge-bad badge-held" data-testid="held-badge" data-count={holds.length} title={why}>
      held{holds.length > 1 ? ` ×${holds.length}` : ''}
    </span>
  );
}
