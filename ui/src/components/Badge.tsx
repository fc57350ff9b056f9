export type Tone = 'ok' | 'warn' | 'bad' | 'busy' | 'idle';

/** A coloured status word; the word carries the meaning, the colour only speeds up scanning. */
export function Badge({ tone, label, testId, title }: { tone: Tone; label: string; testId?: string; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} data-testid={testId} data-value={label} title={title}>
      {label}
    </span>
  );
}
