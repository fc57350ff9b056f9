import type { AppEnvStatus, Environment } from '../api/types.ts';
import { allowed, scopeKey, type MatrixFacts } from '../hooks/useMatrixFacts.ts';
import { ArtifactVersions } from './ArtifactVersions.tsx';
import { CellActions } from './CellActions.tsx';
import { HeldBadge } from './HeldBadge.tsx';
import { MatrixCell } from './MatrixCell.tsx';

/** Apps down, environments across, in the order sluice.yaml lists them (promotion order). */
export function Matrix({
  apps,
  environments,
  facts,
  actor = '',
}: {
  apps: AppEnvStatus[];
  environments: Environment[];
  /** Versions, holds, open requests and permissions; the bare status matrix without them. */
  facts?: MatrixFacts;
  /** Who actions are taken as. */
  actor?: string;
}) {
  const byScope = new Map(apps.map((s) => [`${s.app}\u0000${s.env}`, s]));
  const appNames = [...new Set(apps.map((s) => s.app))];
  // An app may still report an environment that a newer sluice.yaml dropped; show it rather than hide it.
  const known = new Set(environments.map((e) => e.name));
  const columns = [
    ...environments,
    ...[...new Set(apps.map((s) => s.env))]
      .filter((name) => !known.has(name))
      .map((name) => ({ name, target: '?', provider: '?', protected: false })),
  ];
  if (appNames.length === 0) {
    return (
      <p className="empty" data-testid="matrix-empty">
        No apps yet. Add one under <code>apps/</code> in the config repo and list it in <code>sluice.yaml</code>.
      </p>
    );
  }
  return (
    <table className="matrix" data-testid="matrix" aria-label="Apps by environment">
      <thead>
        <tr>
          <th scope="col">App</th>
          {columns.map((e) => (
            <th scope="col" key={e.name} data-testid={`env-${e.name}`}>
              <span className="env-name">{e.name}</span>
              {e.protected && (
                <span className="env-protected" title="Protected environment">
                  protected
                </span>
              )}
              <span className="env-target muted">
                {e.target} · {e.provider}
              </span>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {appNames.map((app) => (
          <tr key={app} data-testid={`row-${app}`}>
            <th scope="row">{app}</th>
            {columns.map((e, i) => {
              const status = byScope.get(`${app}\u0000${e.name}`);
              const key = scopeKey(app, e.name);
              const may = allowed(facts?.me, e.name);
              return (
                <td key={e.name}>
                  {status ? (
                    <>
                      <MatrixCell status={status}>
                        <ArtifactVersions artifacts={facts?.running.get(key) ?? []} />
                        <HeldBadge holds={facts?.held.get(key) ?? []} />
                      </MatrixCell>
                      {facts && (
                        <CellActions
                          app={app}
                          env={e.name}
                          canPromote={i > 0 && may.deploy}
                          canRollback={may.deploy}
                          canApprove={may.approve}
                          open={facts.open.get(key) ?? []}
                          actor={facts.me?.identity.name ?? actor}
                          onDone={facts.refresh}
                        />
                      )}
                    </>
                  ) : (
                    <span className="cell cell-absent" title={`${app} is not deployed to ${e.name}`}>
                      —
                    </span>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
