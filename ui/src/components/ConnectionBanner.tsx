import { UnreachableError } from '../api/client.ts';
import { RelativeTime } from './RelativeTime.tsx';

/** Says plainly when what is on screen may be stale, and why. */
export function ConnectionBanner({ error, updatedAt }: { error?: Error; updatedAt?: number }) {
  if (!error) return null;
  const unreachable = error instanceof UnreachableError;
  return (
    <div className="banner banner-bad" role="alert" data-testid="connection-banner">
      <strong>{unreachable ? 'The Sluice server is unreachable.' : 'The Sluice server answered with an error.'}</strong>{' '}
      {unreachable ? 'Retrying every 2 s.' : error.message}
      {updatedAt && (
        <span className="muted">
          {' '}
          Showing data from <RelativeTime iso={new Date(updatedAt).toISOString()} />.
        </span>
      )}
    </div>
  );
}
