import type { Me } from '../api/types.ts';
import type { Route } from '../hooks/useRoute.ts';

/**
 * The dashboard's pages; the promotions link carries how many requests wait for an approval.
 * The audit page shows to those who may read it; who is signed in, with sign-out, at the end.
 */
export function HeaderNav({
  route,
  awaiting,
  me,
  onSignOut,
}: {
  route: Route;
  awaiting?: number;
  me?: Me;
  onSignOut?: () => void;
}) {
  const current = (view: Route['view'] | Route['view'][]) =>
    (Array.isArray(view) ? view : [view]).includes(route.view) ? ('page' as const) : undefined;
  return (
    <nav className="header-nav" aria-label="Pages">
      <a href="#/" aria-current={current(['matrix', 'detail'])}>
        Apps
      </a>
      <a href="#/promotions" aria-current={current('promotions')} data-testid="nav-promotions">
        Promotions
        {awaiting !== undefined && awaiting > 0 && (
          <span
            className="nav-count"
            data-testid="awaiting-badge"
            data-count={awaiting}
            aria-label={`${awaiting} awaiting approval`}
            title={`${awaiting} request${awaiting === 1 ? '' : 's'} awaiting approval`}
          >
            {awaiting}
          </span>
        )}
      </a>
      <a href="#/dora" aria-current={current('dora')} data-testid="nav-dora">
        DORA
      </a>
      {(me?.can.audit ?? me?.can.admin) && (
        <a href="#/audit" aria-current={current('audit')} data-testid="nav-audit">
          Audit
        </a>
      )}
      {me && (
        <span className="signed-in" data-testid="signed-in" data-subject={me.identity.subject}>
          {me.identity.name}{' '}
          <button type="button" className="link" onClick={onSignOut} data-testid="sign-out">
            sign out
          </button>
        </span>
      )}
    </nav>
  );
}
