import type { ArtifactRecord } from '../api/types.ts';
import { shortDigest } from '../format.ts';

/** The versions an app runs in an environment, at a glance: tag and short digest per artifact. */
export function ArtifactVersions({ artifacts }: { artifacts: readonly ArtifactRecord[] }) {
  if (artifacts.length === 0) return null;
  return (
    <span className="cell-versions" data-testid="cell-versions">
      {artifacts.map((a) => (
        <span
          key={`${a.name}@${a.digest ?? a.ref}`}
          className="cell-version"
          data-testid="cell-version"
          data-name={a.name}
          data-tag={a.tag ?? ''}
          data-digest={a.digest ?? ''}
          title={`${a.name} ${a.ref}${a.tag ? `:${a.tag}` : ''}${a.digest ? `@${a.digest}` : ''}`}
        >
          {artifacts.length > 1 && <span className="muted">{a.name} </span>}
          <strong>{a.tag ?? 'untagged'}</strong>
          {a.digest && <code className="digest"> {shortDigest(a.digest)}</code>}
        </span>
      ))}
    </span>
  );
}
