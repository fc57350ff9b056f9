import type { ResourceHealth } from '../api/types.ts';
import { HealthBadge } from './HealthBadge.tsx';

export function ResourceTable({ resources }: { resources: ResourceHealth[] }) {
  if (resources.length === 0) return <p className="muted">No resources live yet.</p>;
  return (
    <table className="grid" data-testid="resources" aria-label="Resources">
      <thead>
        <tr>
          <th scope="col">Kind</th>
          <th scope="col">Name</th>
          <th scope="col">Health</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {resources.map((r) => (
          <tr key={r.key} data-testid="resource">
            <td>{r.kind}</td>
            <td>
              <code>{r.name}</code>
            </td>
            <td>
              <HealthBadge health={r.status} testId="resource-health" />
            </td>
            <td className="muted">{r.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
