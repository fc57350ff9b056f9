import type Dockerode from 'dockerode';
import type { ComposeServiceSpec } from '../../model/compose.js';
import type { ProviderLog } from '../types.js';
import { proxiedPorts } from './container-spec.js';
import { LABEL_SCOPE, LABEL_SERVICE, LABEL_SPEC } from './labels.js';
import { PortProxy } from './port-proxy.js';

/** A container's published ports as the Engine bound them: container port → host port. */
export type Bindings = { target: number; published: number }[];

/**
 * The published ports Sluice holds for services (port-proxy.ts), by `host:port`: which ready
 * containers take each port's connections. A port is listened on when its first container is
 * routed and closed when its last leaves.
 */
export class PortRoutes {
  private readonly proxies = new Map<string, PortProxy>();

  constructor(private readonly docker: () => Dockerode) {}

  /**
   * Puts a ready container into the rotation of the ports Sluice holds for its service,
   * listening on them first if nothing does yet. `known` are its bindings when already read.
   */
  async route(service: string, spec: ComposeServiceSpec, id: string, known?: Bindings): Promise<void> {
    const wanted = proxiedPorts(spec);
    if (wanted.length === 0) return;
    let bindings = known;
    if (!bindings) {
      const i = await this.docker().getContainer(id).inspect();
      bindings = Object.entries(i.NetworkSettings.Ports ?? {}).flatMap(([k, bs]) =>
        (bs ?? []).map((b) => ({ target: Number(k.split('/')[0]), published: Number(b.HostPort) })),
      );
    }
    for (const w of wanted) {
      const hostPort = bindings.find((b) => b.target === w.target && b.published > 0)?.published;
      // None yet, or the container binds the fixed port itself (adopted): nothing to forward.
      if (!hostPort || hostPort === w.port) continue;
      const key = `${w.host}:${w.port}`;
      let proxy = this.proxies.get(key);
      if (!proxy) {
        proxy = new PortProxy(w.host, w.port, service);
        await proxy.listen();
        this.proxies.set(key, proxy);
      }
      proxy.backends.set(id, hostPort);
    }
  }

  /** Takes a container out of every port's rotation; a port nothing serves any more is closed. */
  unroute(id: string): void {
    for (const [key, proxy] of this.proxies) {
      proxy.backends.delete(id);
      if (proxy.backends.size === 0) {
        this.proxies.delete(key);
        void proxy.close();
      }
    }
  }

  /** Lets a container leaving every rotation finish its connections, for at most `ms`. */
  async drain(id: string, ms: number): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.drain(id, ms)));
  }

  /** After a restart: holds again the ports of the running containers of every scope. */
  async restore(log: ProviderLog): Promise<void> {
    const list = await this.docker().listContainers({ filters: { label: [LABEL_SCOPE], status: ['running'] } });
    for (const c of list) {
      const raw = c.Labels?.[LABEL_SPEC];
      if (!raw) continue;
      let spec: ComposeServiceSpec;
      try {
        spec = JSON.parse(raw) as ComposeServiceSpec;
      } catch {
        continue;
      }
      const bindings = (c.Ports ?? [])
        .filter((p) => p.PublicPort !== undefined)
        .map((p) => ({ target: p.PrivatePort, published: p.PublicPort }));
      await this.route(c.Labels?.[LABEL_SERVICE] ?? '', spec, c.Id, bindings).catch((e: unknown) =>
        log.warn({ err: (e as Error).message, container: c.Names[0] }, 'cannot hold a published port again'),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((p) => p.close()));
    this.proxies.clear();
  }
}
