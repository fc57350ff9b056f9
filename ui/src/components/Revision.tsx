import { shortSha } from '../format.ts';

export function Revision({ revision, testId }: { revision?: string; testId?: string }) {
  return (
    <code className="revision" title={revision ?? 'no revision yet'} data-testid={testId}>
      {shortSha(revision)}
    </code>
  );
}
