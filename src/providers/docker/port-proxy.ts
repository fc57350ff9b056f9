import { connect, createServer, type Server, type Socket } from 'node:net';
import { ProviderError } from '../../errors/index.js';

/**
 * A published TCP port Sluice holds for a service: each connection is forwarded to one of the
 * service's ready containers, which publish the port only on an ephemeral 127.0.0.1 port. A
 * replacement container is added before the old one is taken out, and the old one finishes
 * the connections it has before it is removed, so a roll drops nothing. The listener lives in
 * the Sluice process: it goes away with Sluice and comes back when Sluice starts again.
 */
export class PortProxy {
  private server: Server | undefined;
  private next = 0;
  private readonly open = new Set<Socket>();
  /** Host port on 127.0.0.1 of each container taking traffic, by container id. */
  readonly backends = new Map<string, number>();
  /** Connections being forwarded, per container id. */
  private readonly active = new Map<string, number>();
  private readonly drained = new Set<() => void>();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly service: string,
  ) {}

  listen(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          new ProviderError(
            'DOCKER_PORT_BUSY',
            `cannot listen on ${this.host}:${this.port} for service ${this.service}: ${e.code ?? e.message}`,
            {
              resource: `Service/${this.service}`,
              field: 'spec.ports',
              hint: `Another program or container holds port ${this.port}; stop it or publish another port.`,
              retry: true,
              cause: e,
            },
          ),
        ),
      );
      server.listen({ port: this.port, host: this.host, exclusive: true }, () => {
        this.server = server;
        resolve();
      });
    });
  }

  get listening(): boolean {
    return this.server !== undefined;
  }

  /**
   * Takes a container out of rotation and resolves once it forwards nothing any more (or
   * after `timeoutMs`), so it finishes what it was answering before it is stopped.
   */
  drain(id: string, timeoutMs: number): Promise<void> {
    this.backends.delete(id);
    if (!this.active.get(id)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (this.active.get(id)) return;
        clearTimeout(timer);
        this.drained.delete(done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.drained.delete(done);
        resolve();
      }, timeoutMs);
      this.drained.add(done);
    });
  }

  /** Stops accepting and cuts the connections being forwarded. */
  close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.open) s.destroy();
    this.open.clear();
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }

  private forward(client: Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    const targets = [...this.backends];
    if (targets.length === 0) {
      client.destroy();
      return;
    }
    const first = this.next++ % targets.length;
    const attempt = (tried: number): void => {
      if (tried >= targets.length || client.destroyed) {
        client.destroy();
        return;
      }
      const [id, port] = targets[(first + tried) % targets.length]!;
      const upstream = connect({ port, host: '127.0.0.1' });
      this.track(upstream);
      this.active.set(id, (this.active.get(id) ?? 0) + 1);
      upstream.once('close', () => {
        this.active.set(id, this.active.get(id)! - 1);
        for (const d of [...this.drained]) d();
      });
      const refused = () => {
        upstream.destroy();
        attempt(tried + 1);
      };
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('error', refused);
        upstream.on('error', () => client.destroy());
        // Ending lets written bytes drain; an error on one side cuts the other at once.
        client.on('close', (failed) => (failed ? upstream.destroy() : upstream.end()));
        upstream.on('close', (failed) => (failed ? client.destroy() : client.end()));
        client.pipe(upstream);
        upstream.pipe(client);
      });
    };
    attempt(0);
  }

  private track(socket: Socket): void {
    this.open.add(socket);
    socket.once('close', () => this.open.delete(socket));
  }
}
