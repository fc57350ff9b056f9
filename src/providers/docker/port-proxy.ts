import { ProviderError } from '../../errors/index.js';
import { TcpForwarder } from '../tcp-forwarder.js';

/**
 * A published TCP port Sluice holds for a service: each connection is forwarded to one of the
 * service's ready containers, which publish the port only on an ephemeral 127.0.0.1 port. A
 * replacement container is added before the old one is taken out, and the old one finishes
 * the connections it has before it is removed, so a roll drops nothing. The listener lives in
 * the Sluice process: it goes away with Sluice and comes back when Sluice starts again.
 */
export class PortProxy {
  /** Host port on 127.0.0.1 of each container taking traffic, by container id. */
  readonly backends = new Map<string, number>();
  private readonly forwarder: TcpForwarder<string>;

  constructor(
    readonly host: string,
    readonly port: number,
    service: string,
  ) {
    this.forwarder = new TcpForwarder(
      () => [...this.backends],
      (e) =>
        new ProviderError(
          'DOCKER_PORT_BUSY',
          `cannot listen on ${host}:${port} for service ${service}: ${e.code ?? e.message}`,
          {
            resource: `Service/${service}`,
            field: 'spec.ports',
            hint: `Another program or container holds port ${port}; stop it or publish another port.`,
            retry: true,
            cause: e,
          },
        ),
    );
  }

  listen(): Promise<void> {
    return this.forwarder.listen(this.port, this.host);
  }

  get listening(): boolean {
    return this.forwarder.listening;
  }

  /**
   * Takes a container out of rotation and resolves once it forwards nothing any more (or
   * after `timeoutMs`), so it finishes what it was answering before it is stopped.
   */
  drain(id: string, timeoutMs: number): Promise<void> {
    this.backends.delete(id);
    return this.forwarder.drain(id, timeoutMs);
  }

  /** Stops accepting and cuts the connections being forwarded. */
  close(): Promise<void> {
    return this.forwarder.close();
  }
}
