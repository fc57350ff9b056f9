import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP port Sluice holds in front of backends on 127.0.0.1 that come and go (a Process's
 * replicas, a Compose service's containers): each connection goes to the next backend, round
 * robin, skipping one that refuses; a backend taken out of rotation can be drained. The
 * listener lives in the Sluice process and goes away with it.
 */
export class TcpForwarder<K> {
  private server: Server | undefined;
  private next = 0;
  private readonly open = new Set<Socket>();
  /** Connections being forwarded, per backend. */
  private readonly active = new Map<K, number>();
  private readonly drained = new Set<() => void>();

  constructor(
    /** The backends taking traffic now, each with its port on 127.0.0.1. */
    private readonly backends: () => readonly (readonly [K, number])[],
    /** The error to fail `listen` with when the port cannot be held. */
    private readonly busy: (e: NodeJS.ErrnoException) => Error,
  ) {}

  get listening(): boolean {
    return this.server !== undefined;
  }

  listen(port: number, host: string): Promise<void> {
    const server = createServer((client) => this.forward(client));
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(this.busy(e)));
      server.listen({ port, host, exclusive: true }, () => {
        this.server = server;
        resolve();
      });
    });
  }

  /** Resolves once nothing is forwarded to `key` any more, or after `timeoutMs`. */
  drain(key: K, timeoutMs: number): Promise<void> {
    if (!this.active.get(key)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        if (this.active.get(key)) return;
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
    const targets = this.backends();
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
      const [key, port] = targets[(first + tried) % targets.length]!;
      const upstream = connect({ port, host: '127.0.0.1' });
      this.track(upstream);
      this.active.set(key, (this.active.get(key) ?? 0) + 1);
      upstream.once('close', () => {
        this.active.set(key, this.active.get(key)! - 1);
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
