import type { ArtifactRecord } from '../api/types.ts';
import { Digest } from './Digest.tsx';

/** What a change runs: each artifact's name, tag and digest. */
export function ArtifactList({ artifacts }: { artifacts: ArtifactRecord[] }) {
  if (artifacts.length === 0) return <span className="muted">no artifacts recorded</span>;
  return (
    <ul className="artifacts" data-testid="artifacts">
      {artifacts.map((a) => (
        <li key={`${a.name}@${a.digest ?? a.ref}`} data-testid="artifact" data-name={a.name}>
          <strong>{a.name}</strong>
          {a.tag && <span className="artifact-tag">{a.tag}</span>} <Digest digest={a.digest} />{' '}
          <span className="artifact-ref muted" title={a.ref}>
            {a.ref}
          </span>
        </li>
      ))}
    </ul>
  );
}
