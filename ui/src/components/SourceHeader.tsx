import type { ReactNode } from 'react';
import type { ProjectStatus } from '../api/types.ts';
import { location } from '../format.ts';
import { RelativeTime } from './RelativeTime.tsx';
import { Revision } from './Revision.tsx';

/** Which project this is and which config-repo revision everything below was rendered from. */
export function SourceHeader({ status, nav }: { status?: ProjectStatus; nav?: ReactNode }) {
  const source = status?.source;
  return (
    <header className="page-header">
      <div className="brand">
        <a href="#/" className="brand-link" aria-label="Sluice: all apps">
          Sluice
        </a>
        <h1 data-testid="project-name">{status?.project ?? '…'}</h1>
      </div>
      {nav}
      {source && (
        <div className="source" data-testid="source" aria-label="Config repository">
          <span className="source-url" title={source.url}>
            {source.url}
          </span>
          <span className="source-branch" title="Branch">
            {source.branch}
          </span>
          <span title="Revision">
            @ <Revision revision={source.revision} testId="source-revision" />
          </span>
          <span className="muted">
            fetched <RelativeTime iso={source.lastFetchAt} />
          </span>
        </div>
      )}
      {source?.error && (
        <div className="source-error" role="alert" data-testid="source-error">
          <strong>Cannot fetch the config repo:</strong> {source.error.message}
          {location(source.error) && <code> ({location(source.error)})</code>}
          {source.error.hint && <span className="source-hint"> — {source.error.hint}</span>}
          {source.nextRetryAt && (
            <span className="muted"> Next retry at {new Date(source.nextRetryAt).toLocaleTimeString()}.</span>
          )}
        </div>
      )}
    </header>
  );
}
