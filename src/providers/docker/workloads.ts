import type Dockerode from 'dockerode';
import type { ComposeServiceSpec } from '../../model/compose.js';
import type { LiveWorkload } from '../types.js';
import { proxiedPorts } from './container-spec.js';
import type { LiveContainer } from './live-state.js';

/**
 * The containers of a Compose project as the dashboard shows them. A fixed host port Sluice
 * holds itself (its port proxy, so replacements drop no request) is shown as that port: the
 * Engine publishes the container on a passing port only the proxy uses.
 */
export async function containerWorkloads(docker: Dockerode, containers: LiveContainer[]): Promise<LiveWorkload[]> {
  // Restart counts are only in the full inspect; all in flight together.
  const inspected = await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.id)
        .inspect()
        .catch(() => undefined),
    ),
  );
  return containers
    .map((c, i): LiveWorkload => {
      const info = inspected[i];
      const held = c.spec ? proxiedPorts(c.spec as unknown as ComposeServiceSpec) : [];
      const ports = [
        ...held.map((p) => ({ published: p.port, target: p.target, protocol: 'tcp' })),
        ...c.ports
          .filter((p) => !held.some((h) => h.target === p.target && p.protocol === 'tcp'))
          .map((p) => ({ published: p.published, target: p.target, protocol: p.protocol })),
      ]
        // The Engine lists a binding once per address family (0.0.0.0 and ::).
        .filter(
          (p, j, all) =>
            all.findIndex((q) => q.published === p.published && q.target === p.target && q.protocol === p.protocol) ===
            j,
        )
        .sort((a, b) => a.published - b.published || a.target - b.target);
      return {
        name: c.name,
        service: c.service,
        state: c.state,
        ...(c.health ? { health: c.health } : {}),
        ports,
        image: c.observed.image,
        ...(info?.Image ? { digest: info.Image } : {}),
        ...(info ? { restarts: info.RestartCount } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
