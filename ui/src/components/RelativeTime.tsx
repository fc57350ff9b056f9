import { absoluteTime, relativeTime } from '../format.ts';
import { useNow } from '../hooks/useNow.ts';

export function RelativeTime({ iso, testId }: { iso?: string; testId?: string }) {
  const now = useNow();
  if (!iso) return <span data-testid={testId}>never</span>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)} data-testid={testId}>
      {relativeTime(iso, now)}
    </time>
  );
}
