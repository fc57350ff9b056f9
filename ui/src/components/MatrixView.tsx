import { useContext } from 'react';
import { api } from '../api/client.ts';
import type { ProjectStatus } from '../api/types.ts';
import { useMatrixFacts } from '../hooks/useMatrixFacts.ts';
import { MeContext } from '../hooks/useMe.ts';
import { usePoll } from '../hooks/usePoll.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { EventList } from './EventList.tsx';
import { Matrix } from './Matrix.tsx';
import { Section } from './Section.tsx';

export function MatrixView({ status }: { status: ProjectStatus }) {
  const events = usePoll(() => api.events({ limit: 15 }), 2000, 'all');
  const facts = useMatrixFacts(status.environments.map((e) => e.name));
  // Actions are taken as the signed-in identity; the name only labels the buttons.
  const actor = useContext(MeContext)?.identity.name ?? '';
  return (
    <main data-testid="matrix-view">
      {status.projectError && (
        <ErrorBox
          error={status.projectError}
          title="sluice.yaml at the newest revision is invalid; the last good project stays in force"
          testId="project-error"
        />
      )}
      <h2 className="sr-only">Apps by environment</h2>
      <Matrix apps={status.apps} environments={status.environments} facts={facts} actor={actor} />
      <Section title="Recent events">
        {events.data ? <EventList events={events.data} showScope /> : <p className="muted">Loading events…</p>}
      </Section>
    </main>
  );
}
