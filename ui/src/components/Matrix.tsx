import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
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
  const header = (
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
  );
  const row = (app: string) => (
    <MatrixRow key={app} app={app} columns={columns} byScope={byScope} facts={facts} actor={actor} />
  );
  if (appNames.length <= WINDOW_FROM) {
    return (
      <table className="matrix" data-testid="matrix" aria-label="Apps by environment">
        {header}
        <tbody>{appNames.map(row)}</tbody>
      </table>
    );
  }
  return <WindowedMatrix header={header} apps={appNames} row={row} columns={columns.length} />;
}

/** Above this many apps only the rows in view are rendered: thousands of rows would make every update slow. */
export const WINDOW_FROM = 60;
/** Rows rendered beyond each edge of the view, so a short scroll shows no blank rows. */
const OVERSCAN = 8;
/** The first guess at a row's height, until a rendered row is measured. */
const ROW_ESTIMATE = 64;

/**
 * A matrix that scrolls in a box of its own and renders only the rows in view; spacer rows
 * above and below keep the scroll bar as long as the whole matrix would be.
 */
function WindowedMatrix({
  header,
  apps,
  row,
  columns,
}: {
  header: ReactNode;
  apps: string[];
  row: (app: string) => ReactNode;
  columns: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  const [rowHeight, setRowHeight] = useState(ROW_ESTIMATE);
  const frame = useRef(0);
  const onScroll = useCallback(() => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(() => {
      const el = box.current;
      if (el) setView({ top: el.scrollTop, height: el.clientHeight });
    });
  }, []);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    setView({ top: el.scrollTop, height: el.clientHeight });
    const rendered = el.querySelector<HTMLTableRowElement>('tbody tr[data-testid]');
    const measured = rendered?.getBoundingClientRect().height;
    if (measured && Math.abs(measured - rowHeight) > 1) setRowHeight(measured);
  }, [rowHeight]);

  const first = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN);
  const last = Math.min(apps.length, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
  return (
    <div
      ref={box}
      className="matrix-window"
      data-testid="matrix-window"
      onScroll={onScroll}
      style={{ maxHeight: '75vh', overflowY: 'auto' }}
    >
      <table className="matrix" data-testid="matrix" aria-label="Apps by environment" aria-rowcount={apps.length + 1}>
        {header}
        <tbody>
          {first > 0 && (
            <tr aria-hidden="true" style={{ height: first * rowHeight }}>
              <td colSpan={columns + 1} />
            </tr>
          )}
          {apps.slice(first, last).map(row)}
          {last < apps.length && (
            <tr aria-hidden="true" style={{ height: (apps.length - last) * rowHeight }}>
              <td colSpan={columns + 1} />
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

/** One app across every environment. */
function MatrixRow({
  app,
  columns,
  byScope,
  facts,
  actor,
}: {
  app: string;
  columns: Environment[];
  byScope: Map<string, AppEnvStatus>;
  facts: MatrixFacts | undefined;
  actor: string;
}) {
  return (
    <tr data-testid={`row-${app}`}>
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
  );
}
