import { useCallback, useEffect, useState } from 'react';
import { api } from './api/client.ts';
import type { Me } from './api/types.ts';
import { AuditView } from './components/AuditView.tsx';
import { AppEnvView } from './components/AppEnvView.tsx';
import { ConnectionBanner } from './components/ConnectionBanner.tsx';
import { DoraView } from './components/DoraView.tsx';
import { HeaderNav } from './components/HeaderNav.tsx';
import { MatrixView } from './components/MatrixView.tsx';
import { PromotionsView } from './components/PromotionsView.tsx';
import { SignIn } from './components/SignIn.tsx';
import { SourceHeader } from './components/SourceHeader.tsx';
import { MeContext } from './hooks/useMe.ts';
import { usePoll } from './hooks/usePoll.ts';
import { useRoute } from './hooks/useRoute.ts';
import { useStatus } from './hooks/useStatus.ts';
import { awaitsApproval } from './promotions.ts';

const POLL_MS = 2000;
const OPEN_POLL_MS = 5000;

type SignedIn = { state: 'checking' } | { state: 'out' } | { state: 'in'; me: Me };

/** Signs in first: nothing of the project shows to a browser without a session. */
export function App() {
  const [session, setSession] = useState<SignedIn>({ state: 'checking' });
  useEffect(() => {
    api.me().then(
      (me) => setSession({ state: 'in', me }),
      // 401 (no session, or it ended); any other failure also shows the sign-in page, whose
      // attempt then reports what is wrong.
      () => setSession({ state: 'out' }),
    );
  }, []);
  const signOut = useCallback(() => {
    void api.signOut().finally(() => setSession({ state: 'out' }));
  }, []);
  if (session.state === 'checking') return null;
  if (session.state === 'out') return <SignIn onSignedIn={(me) => setSession({ state: 'in', me })} />;
  return (
    <MeContext.Provider value={session.me}>
      <Dashboard me={session.me} onSignOut={signOut} />
    </MeContext.Provider>
  );
}

function Dashboard({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const route = useRoute();
  const project = useStatus(POLL_MS);
  const open = usePoll(() => api.promotions({ state: 'open' }), OPEN_POLL_MS, 'open-promotions');
  const name = project.data?.project;
  useEffect(() => {
    document.title = name ? `${name} · Sluice` : 'Sluice';
  }, [name]);

  const awaiting = open.data?.filter(awaitsApproval).length;
  return (
    <>
      <SourceHeader
        status={project.data}
        nav={<HeaderNav route={route} awaiting={awaiting} me={me} onSignOut={onSignOut} />}
      />
      <ConnectionBanner error={project.error} updatedAt={project.updatedAt} />
      {route.view === 'detail' ? (
        <AppEnvView app={route.app} env={route.env} />
      ) : route.view === 'promotions' ? (
        <PromotionsView onReviewed={open.refresh} />
      ) : route.view === 'audit' ? (
        <AuditView />
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
