import { useState } from 'react';
import type { LedgerEntry } from '../api/types.ts';
import { TimelineEntry } from './TimelineEntry.tsx';

const FIRST = 10;

/** Every change to one app in one environment, newest first (the ledger answers oldest first). */
export function Timeline({ entries }: { entries: LedgerEntry[] }) {
  const [all, setAll] = useState(false);
  if (entries.length === 0)
    return (
      <p className="muted" data-testid="timeline-empty">
        No changes recorded yet.
      </p>
    );
  const newestFirst = [...entries].reverse();
  const shown = all ? newestFirst : newestFirst.slice(0, FIRST);
  return (
    <>
      <ol className="timeline" data-testid="timeline" aria-label="Changes, newest first">
        {shown.map((e) => (
          <TimelineEntry key={e.change.id} entry={e} />
        ))}
      </ol>
      {newestFirst.length > shown.length && (
        <button type="button" className="link" onClick={() => setAll(true)} data-testid="timeline-more">
          Show {newestFirst.length - shown.length} older changes
        </button>
      )}
    </>
  );
}
