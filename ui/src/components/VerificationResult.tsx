import type { VerificationRecord } from '../api/types.ts';
import { Badge } from './Badge.tsx';
import { RelativeTime } from './RelativeTime.tsx';

/** The checks run after a sync and what each found. */
export function VerificationResult({ verification: v }: { verification: VerificationRecord }) {
  return (
    <div className="verification" data-testid="verification" data-result={v.result}>
      <Badge tone={v.result === 'Passed' ? 'ok' : 'bad'} label={v.result} testId="verification-result" />{' '}
      <span className="muted">
        after sync #{v.syncId}, <RelativeTime iso={v.finishedAt} />
      </span>
      <ul className="checks">
        {v.checks.map((c, i) => (
          <li key={`${c.name}-${i}`} data-testid="check" data-passed={c.passed}>
            <span className={c.passed ? 'text-ok' : 'text-bad'} aria-label={c.passed ? 'passed' : 'failed'}>
              {c.passed ? '✓' : '✗'}
            </span>{' '}
            <code title={c.url}>{c.name}</code> <span className="muted">{c.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
