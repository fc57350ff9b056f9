import type { EventRecord } from '../api/types.ts';
import { Badge, type Tone } from './Badge.tsx';
import { RelativeTime } from './RelativeTime.tsx';

const tones: Record<EventRecord['severity'], Tone> = { info: 'idle', warning: 'warn', error: 'bad' };

/** Newest first. `showScope` adds the app × environment column when the list spans several. */
export function EventList({ events, showScope = false }: { events: EventRecord[]; showScope?: boolean }) {
  if (events.length === 0) return <p className="muted">No events yet.</p>;
  return (
    <table className="grid" data-testid="events" aria-label="Recent events">
      <thead>
        <tr>
          <th scope="col">Time</th>
          {showScope && <th scope="col">Scope</th>}
          <th scope="col">Severity</th>
          <th scope="col">Type</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} data-testid="event" data-type={e.type}>
            <td>
              <RelativeTime iso={e.time} />
            </td>
            {showScope && <td>{e.app ? `${e.app} · ${e.env ?? '*'}` : <span className="muted">project</span>}</td>}
            <td>
              <Badge tone={tones[e.severity] ?? 'idle'} label={e.severity} />
            </td>
            <td>
              <code>{e.type}</code>
            </td>
            <td>{e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
