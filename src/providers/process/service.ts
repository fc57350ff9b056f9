import { connect, createServer, type Server, type Socket } from 'node:net';
import { ProviderError } from '../../errors/index.js';

export interface ServiceAddress {
  port: number;
  address: string;
}

/**
 * A Process's stable address. Replicas move between two ports as they roll, so callers are
 * given one port that Sluice itself listens on; each connection is forwarded to the next
 * ready replica (round robin), and one that refuses is skipped. The listener lives in the
 * Sluice process: it goes away with Sluice and comes back when Sluice adopts the replicas.
 */
export class ServiceListener {
  private server: Server | undefined;
  private next = 0;
  private readonly open = new Set<Socket>();
  /** Connections being forwarded, per replica port. */
  private readonly active = new Map<number, number>();
  private readonly drained = new Set<() => void>();

  constructor(
    readonly at: ServiceAddress,
    private readonly ref: string,
    /** Ports of the replicas ready to take traffic now. */
    private readonly backends: () => number[],
  ) {}

  listen(): Promise<void> {
    const server = createServer((client) => this.forward(client));
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        reject(
          new ProviderError(
            'PROCESS_SERVICE_PORT_BUSY',
            `cannot listen on ${this.at.address}:${this.at.port} for ${this.ref}: ${e.code ?? e.message}`,
            {
              resource: this.ref,
              field: 'spec.service.port',
              hint: `Another program uses port ${this.at.port}; stop it or choose another spec.service.port. The replicas were not changed.`,
              cause: e,
            },
          ),
        );
      });
      server.listen({ port: this.at.port, host: this.at.address, exclusive: true }, () => {
        this.server = server;
        resolve();
      });
    });
  }

  /**
   * Resolves once no connection is forwarded to `port` any more, or after `timeoutMs`: a
   * replica taken out of rotation finishes what it was answering before it is stopped.
   */
  drain(port: number, timeoutMs: number): Promise<void> {
    if (!this.active.get(port)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (this.active.get(port)) return;
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
    const ports = this.backends();
    if (ports.length === 0) {
      client.destroy();
      return;
    }
    const first = this.next++ % ports.length;
    const attempt = (tried: number): void => {
      if (tried >= ports.length || client.destroyed) {
        client.destroy();
        return;
      }
      const port = ports[(first + tried) % ports.length]!;
      const upstream = connect({ port, host: '127.0.0.1' });
      this.track(upstream);
      this.active.set(port, (this.active.get(port) ?? 0) + 1);
      upstream.once('close', () => {
        this.active.set(port, this.active.get(port)! - 1);
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
