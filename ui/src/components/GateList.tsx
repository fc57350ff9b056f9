import type { GateResult, PromotionState } from '../api/types.ts';

/**
 * Each gate's last verdict. On an open request a gate that has not passed is waiting (for an
 * approval, for the soak to end); on a closed one it is what stopped the request.
 */
export function GateList({
  gates,
  state,
  compact = false,
}: {
  gates: GateResult[];
  state: PromotionState;
  compact?: boolean;
}) {
  if (gates.length === 0) return <span className="muted">no gates</span>;
  return (
    <ul className={compact ? 'gates gates-compact' : 'gates'} data-testid="gates">
      {gates.map((g) => {
        const verdict = g.passed ? 'passed' : state === 'open' ? 'waiting' : 'failed';
        return (
          <li
            key={g.name ?? g.gate}
            className={`gate gate-${verdict}`}
            data-testid="gate"
            data-gate={g.gate}
            data-verdict={verdict}
            title={compact ? `${g.name ?? g.gate} ${verdict}: ${g.message}` : g.query}
          >
            <span className="gate-mark" aria-hidden="true">
              {g.passed ? '✓' : verdict === 'waiting' ? '…' : '✗'}
            </span>
            <span className="gate-name">{g.name ?? g.gate}</span> <span className="gate-verdict">{verdict}</span>
            {!compact && <span className="gate-message muted"> — {g.message}</span>}
          </li>
        );
      })}
    </ul>
  );
}
