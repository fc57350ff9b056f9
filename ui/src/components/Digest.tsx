import { shortDigest } from '../format.ts';

/** An artifact digest, shortened; the full value is in the tooltip and can be selected and copied. */
export function Digest({ digest }: { digest?: string }) {
  if (!digest) return <span className="muted">no digest</span>;
  return (
    <code className="digest" title={digest} data-testid="digest" data-digest={digest}>
      {shortDigest(digest)}
    </code>
  );
}
