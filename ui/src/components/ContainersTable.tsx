import type { LiveContainer } from '../api/client.ts';
import { Badge, type Tone } from './Badge.tsx';
import { Digest } from './Digest.tsx';

const stateTones: Record<string, Tone> = {
  running: 'ok',
  ready: 'ok',
  starting: 'busy',
  restarting: 'warn',
  backoff: 'warn',
  created: 'idle',
  paused: 'idle',
  stopping: 'idle',
  exited: 'bad',
  dead: 'bad',
  unhealthy: 'bad',
};
const healthTones: Record<NonNullable<LiveContainer['health']>, Tone> = {
  healthy: 'ok',
  starting: 'busy',
  unhealthy: 'bad',
};

/** The image by what people call it: its tag when it has one, the digest column says the rest. */
function imageName(ref: string): string {
  const at = ref.indexOf('@');
  return at >= 0 ? ref.slice(0, at) : ref;
}

/** The containers an app runs in an environment, as the target reports them now. */
export function ContainersTable({ containers }: { containers: LiveContainer[] }) {
  if (containers.length === 0) return <p className="muted">Nothing runs here now.</p>;
  return (
    <table className="grid" data-testid="containers" aria-label="Containers">
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Service</th>
          <th scope="col">State</th>
          <th scope="col">Health</th>
          <th scope="col">Ports</th>
          <th scope="col">Image</th>
          <th scope="col">Restarts</th>
        </tr>
      </thead>
      <tbody>
        {containers.map((c) => (
          <tr key={c.name} data-testid="container" data-name={c.name}>
            <td>
              <code>{c.name}</code>
            </td>
            <td>{c.service}</td>
            <td>
              <Badge tone={stateTones[c.state] ?? 'idle'} label={c.state} testId="container-state" />
            </td>
            <td>
              {c.health ? (
                <Badge tone={healthTones[c.health]} label={c.health} testId="container-health" />
              ) : (
                <span className="muted" title="The target runs no health check of its own">
                  —
                </span>
              )}
            </td>
            <td data-testid="container-ports">
              {c.ports.length === 0 ? (
                <span className="muted">none</span>
              ) : (
                c.ports.map((p) => (
                  <div key={`${p.published}-${p.target}-${p.protocol}`}>
                    {p.published} → {p.target}
                    {p.protocol !== 'tcp' && `/${p.protocol}`}
                  </div>
                ))
              )}
            </td>
            <td data-testid="container-image">
              <code title={c.image}>{imageName(c.image)}</code> <Digest digest={c.digest} />
            </td>
            <td data-testid="container-restarts">{c.restarts ?? <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
