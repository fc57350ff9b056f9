import { useEffect } from 'react';
import { api } from './api/client.ts';
import { AppEnvView } from './components/AppEnvView.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { MatrixView } from './components/MatrixView.tsx';
import { SourceHeader } from './components/SourceHeader.tsx';
import { usePoll } from './hooks/usePoll.ts';
import { useRoute } from './hooks/useRoute.ts';

const POLL_MS = 2000;

export function App() {
  const route = useRoute();
  const project = usePoll(() => api.status(), POLL_MS, 'status');
  const name = project.data?.project;
  useEffect(() => {
    document.title = name ? `${name} · Sluice` : 'Sluice';
  }, [name]);

  return (
    <>
      <SourceHeader status={project.data} />
      <ConnectionBanner error={project.error} updatedAt={project.updatedAt} />
      {route.view === 'detail' ? (
        <AppEnvView app={route.app} env={route.env} />
      ) : project.data ? (
        <MatrixView status={project.data} />
      ) : (
        <main>
          {project.loading && (
            <p className="muted" data-testid="loading">
              Loading project status…
            </p>
          )}
        </main>
      )}
    </>
  );
}
