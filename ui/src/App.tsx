import { useEffect } from 'react';
import { api } from './api/client.ts';
import { AppEnvView } from './components/AppEnvView.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { DoraView } from './components/DoraView.tsx';
import { HeaderNav } from './components/HeaderNav.tsx';
import { MatrixView } from './components/MatrixView.tsx';
import { PromotionsView } from './components/PromotionsView.tsx';
import { SourceHeader } from './components/SourceHeader.tsx';
import { usePoll } from './hooks/usePoll.ts';
import { useRoute } from './hooks/useRoute.ts';
import { awaitsApproval } from './promotions.ts';

const POLL_MS = 2000;
const OPEN_POLL_MS = 5000;

export function App() {
  const route = useRoute();
  const project = usePoll(() => api.status(), POLL_MS, 'status');
  const open = usePoll(() => api.promotions({ state: 'open' }), OPEN_POLL_MS, 'open-promotions');
  const name = project.data?.project;
  useEffect(() => {
    document.title = name ? `${name} · Sluice` : 'Sluice';
  }, [name]);

  const awaiting = open.data?.filter(awaitsApproval).length;
  return (
    <>
      <SourceHeader status={project.data} nav={<HeaderNav route={route} awaiting={awaiting} />} />
      <ConnectionBanner error={project.error} updatedAt={project.updatedAt} />
      {route.view === 'detail' ? (
        <AppEnvView app={route.app} env={route.env} />
      ) : route.view === 'promotions' ? (
        <PromotionsView onReviewed={open.refresh} />
      ) : !project.data ? (
        <main>
          {project.loading && (
            <p className="muted" data-testid="loading">
              Loading project status…
            </p>
          )}
        </main>
      ) : route.view === 'dora' ? (
        <DoraView environments={project.data.environments} days={route.days} />
      ) : (
        <MatrixView status={project.data} />
      )}
    </>
  );
}
